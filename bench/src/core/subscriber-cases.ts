// The cost of verification events (docs/observability.md, "Channels"): a cache hit with nobody
// on `keygate:verify`, and the same hits while a subscriber counts every message by outcome and
// cache state. The subscriber is attached only for its own batches, so that the other cases of the
// run (and the first one here) are measured with no subscriber.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { VERIFY_CHANNEL, type Verifier, type VerifyEventMessage } from '@keygate/core';

/** The names of the two figures. */
export const HIT_NO_SUBSCRIBER = 'cache hit, no subscriber';
export const HIT_SUBSCRIBER_COUNTING = 'cache hit, subscriber counting';

/**
 * The two operations on one verifier and one pool of cached keys; `verifyBatch` is the core
 * bench's batch (which counts wrong answers).
 */
export function subscriberCases(
  verifier: Verifier,
  pool: readonly string[],
  verifyBatch: (
    verifier: Verifier,
    pool: readonly string[],
    expectOk: boolean,
  ) => (count: number) => Promise<void>,
): Array<readonly [string, (count: number) => unknown]> {
  const counts = new Map<string, number>();
  const count = (message: unknown) => {
    const event = message as VerifyEventMessage;
    const name = `${event.outcome}/${event.cache}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  };
  const plain = verifyBatch(verifier, pool, true);
  const observed = verifyBatch(verifier, pool, true);
  return [
    [HIT_NO_SUBSCRIBER, plain],
    [
      HIT_SUBSCRIBER_COUNTING,
      async (calls: number) => {
        subscribe(VERIFY_CHANNEL, count);
        try {
          await observed(calls);
        } finally {
          unsubscribe(VERIFY_CHANNEL, count);
        }
      },
    ],
  ];
}
