// How a verifier lets go of what it holds (docs/faults.md, "What each fault does"): the subscription and the
// last flush of last-used times run side by side under one deadline, so a stalled store cannot
// hold a shutdown; then the rate limiter. Nothing here throws: failures go to `onError`.
import { withDeadline } from './deadline.js';
import type { LastUsedRecorder } from './last-used-recorder.js';
import type { RateLimiter } from './quotas/rate-limiter.js';
import type { StoreSubscription } from './store-subscription.js';
import type { UsageRecorder } from './usage/usage-recorder.js';

/** What `close()` may take beyond the store timeout before it gives up on the store. */
const CLOSE_GRACE_MS = 500;

/** What a verifier closes. */
export interface VerifierResources {
  readonly subscription: StoreSubscription;
  readonly lastUsed: LastUsedRecorder | undefined;
  readonly usage: UsageRecorder | undefined;
  readonly limiter: RateLimiter;
  readonly storeTimeoutMs: number;
  readonly onError: (error: unknown, operation: 'last-used' | 'rate-limit') => void;
}

/** Closes them; settles within `storeTimeoutMs` plus a little, whatever the store does. */
export async function closeVerifierResources(resources: VerifierResources): Promise<void> {
  const timeoutMs = resources.storeTimeoutMs;
  // Each store call has its own deadline too, so nothing is left waiting forever behind this one.
  const unsubscribing = resources.subscription.close();
  const flushing = resources.lastUsed?.close();
  const counting = resources.usage?.close();
  try {
    await withDeadline(
      () => Promise.all([unsubscribing, flushing, counting]),
      timeoutMs + CLOSE_GRACE_MS,
      `close: the key store did not finish within ${timeoutMs} ms; unwritten last-used times are dropped`,
    );
  } catch (error) {
    resources.onError(error, 'last-used');
  }
  try {
    await resources.limiter.close?.();
  } catch (error) {
    resources.onError(error, 'rate-limit');
  }
}
