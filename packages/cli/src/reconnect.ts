// How long the connections keygate opens wait between two attempts to reach a store that went
// away: capped exponential backoff, for ever. A connection that gives up turns a store restart
// into a permanent outage (see docs/faults.md).

/** The longest wait between two attempts: a store that is back is found within this. */
export const RECONNECT_CAP_MS = 500;

/**
 * The wait before reconnection attempt `attempt` (1, 2, …): 50 ms doubling up to
 * {@link RECONNECT_CAP_MS}. Never `null`: every connection keeps trying.
 *
 * @example
 * ```ts
 * new Redis(url, { retryStrategy: reconnectDelay });
 * ```
 */
export function reconnectDelay(attempt: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 16));
  return Math.min(50 * 2 ** exponent, RECONNECT_CAP_MS);
}
