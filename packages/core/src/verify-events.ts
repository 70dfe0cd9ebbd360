// Verification and store events on `node:diagnostics_channel` (docs/observability.md,
// "Channels"): public API, read by @keygate/otel and by anyone who subscribes. A message is built
// only when a channel has subscribers; unobserved, a verification pays one `hasSubscribers` read.
//
// The channels are reached through `process.getBuiltinModule` (Node ≥ 20.16, Bun, Deno), not a
// static `node:` import, so that core still loads where there is no such module: events are
// then simply never published.
import type { ApiKeyErrorCode } from './errors.js';
import type { VerifyResult } from './verifier-result.js';

/** The channel of one message per verification. */
export const VERIFY_CHANNEL = 'keygate:verify';
/** The channel of store failures and of the invalidation subscription's losses and returns. */
export const STORE_CHANNEL = 'keygate:store';

/** Where a verification's answer came from. */
export type VerifyCacheState = 'hit' | 'miss' | 'negative-hit';

/** The message published on `keygate:verify`, once per verification. Never holds a key. */
export interface VerifyEventMessage {
  /** `ok`, or the refusal's code (`invalid_api_key`, `rate_limited`, …). */
  readonly outcome: 'ok' | ApiKeyErrorCode;
  /** The key's id when known (accepted, or refused after the store named it), else `null`. */
  readonly keyId: string | null;
  /** The key's organisation when accepted, else `null`. */
  readonly organisationId: string | null;
  /** The key's environment when accepted, else `null`. */
  readonly environment: string | null;
  /** `hit`: a cached acceptance; `negative-hit`: a cached refusal; `miss`: anything else. */
  readonly cache: VerifyCacheState;
  /** How long this request waited for the store read (ms), or `null` when it read none. */
  readonly storeMs: number | null;
  /** How long the verification took (ms), from `verify()` to its answer. */
  readonly totalMs: number;
}

/** The message published on `keygate:store`. Never holds a key. */
export type StoreEventMessage =
  /** A store (or `resolveOrganisation`, or the rate limiter) call failed or outlived its deadline. */
  | { readonly event: 'failure'; readonly operation: string; readonly error: string }
  /** The invalidation subscription's connection dropped: events may be missed until it is back. */
  | { readonly event: 'subscription-lost'; readonly error: string }
  /** The subscription is back (or held after a late start); the verifier emptied its cache. */
  | { readonly event: 'subscription-resync' };

/** What a verification learns on its way, for its message (only built while observed). */
export interface VerifyTrace {
  readonly startedAt: number;
  cache: VerifyCacheState;
  keyId: string | null;
  storeMs: number | null;
}

interface Channel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

interface DiagnosticsChannelModule {
  channel(name: string): Channel;
}

const NO_CHANNEL: Channel = Object.freeze({ hasSubscribers: false, publish() {} });

function openChannel(name: string): Channel {
  const getBuiltinModule = (
    globalThis as {
      process?: { getBuiltinModule?: (id: string) => DiagnosticsChannelModule | undefined };
    }
  ).process?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') return NO_CHANNEL;
  try {
    return getBuiltinModule('node:diagnostics_channel')?.channel(name) ?? NO_CHANNEL;
  } catch {
    return NO_CHANNEL;
  }
}

/** `keygate:verify`. Channels are process-wide: every copy of core publishes on the same one. */
export const verifyChannel: Channel = openChannel(VERIFY_CHANNEL);
/** `keygate:store`. */
export const storeChannel: Channel = openChannel(STORE_CHANNEL);

/**
 * The message factories, as one object so that a test can watch them (and prove that nothing is
 * built while nobody listens).
 */
export const verifyEvents = {
  /** The `keygate:verify` message of an answer. */
  message(trace: VerifyTrace, result: VerifyResult, endedAt: number): VerifyEventMessage {
    const context = result.ok ? result.context : undefined;
    return {
      outcome: result.ok ? 'ok' : result.error.code,
      keyId: context?.keyId ?? trace.keyId,
      organisationId: context?.organisationId ?? null,
      environment: context?.environment ?? null,
      cache: trace.cache,
      storeMs: trace.storeMs,
      totalMs: endedAt - trace.startedAt,
    };
  },
  /** The `keygate:store` message of a failure. */
  failure(operation: string, error: unknown): StoreEventMessage {
    return { event: 'failure', operation, error: messageOf(error) };
  },
};

/** Publishes the message of a settled verification (call only while `verifyChannel` is observed). */
export function publishVerification(trace: VerifyTrace, result: VerifyResult): void {
  verifyChannel.publish(verifyEvents.message(trace, result, performance.now()));
}

/**
 * Wraps a verifier's `onError` so that each failure is also published on `keygate:store` while
 * someone listens.
 */
export function publishingStoreFailures<Operation extends string>(
  onError: (error: unknown, operation: Operation) => void,
): (error: unknown, operation: Operation) => void {
  return (error, operation) => {
    if (storeChannel.hasSubscribers) storeChannel.publish(verifyEvents.failure(operation, error));
    onError(error, operation);
  };
}

/** Publishes a subscription loss or return on `keygate:store` while someone listens. */
export function publishSubscriptionChange(lost: boolean, error?: unknown): void {
  if (!storeChannel.hasSubscribers) return;
  storeChannel.publish(
    lost
      ? { event: 'subscription-lost', error: messageOf(error) }
      : { event: 'subscription-resync' },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
