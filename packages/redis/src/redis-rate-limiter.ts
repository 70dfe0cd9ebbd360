// RedisRateLimiter: the RateLimiter shared by every instance on one Redis (single node or
// Cluster), in `strict` mode (every request counted in Redis, one atomic script) or `approximate`
// mode (each instance counts locally and adds its counts in batches). See docs/quotas.md.
import {
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitPolicy,
  type RateLimitRequest,
  type RateLimitState,
  slidingWindowRemaining,
  slidingWindowResetMs,
  slidingWindowRetryAfterMs,
  windowIndexOf,
} from '@keygate/core';
import type { RedisCommandClient } from './client.js';
import { KeyLayout } from './key-layout.js';
import { clientKeyPrefix } from './options.js';
import { consumeScript, syncScript } from './rate-limit-scripts.js';
import { type RedisRateLimiterOptions, resolveRateLimiterOptions } from './rate-limiter-options.js';

export type { RedisRateLimiterOptions } from './rate-limiter-options.js';

// What an approximate instance knows of one subject: the counts Redis had at the last sync, and
// what it accepted since (in this window, and in the previous one if the window rolled over).
interface LocalWindow {
  readonly subject: string;
  readonly windowMs: number;
  window: number;
  previous: number;
  current: number;
  pending: number;
  pendingPrevious: number;
}

const UNAVAILABLE: RateLimitDecision = Object.freeze({
  allowed: false,
  unavailable: true,
  retryAfterMs: 0,
  states: Object.freeze([]) as readonly RateLimitState[],
});
const FAILED_OPEN: RateLimitDecision = Object.freeze({
  allowed: true,
  retryAfterMs: 0,
  states: Object.freeze([]) as readonly RateLimitState[],
});

/**
 * Counts rate limits in Redis, so that a limit holds across every server instance.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisRateLimiter } from '@keygate/redis';
 *
 * const client = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500 });
 * const keygate = createKeygate({
 *   store,
 *   rateLimit: { limit: 100, windowMs: 60_000 },
 *   rateLimiter: new RedisRateLimiter({ client, mode: 'approximate' }),
 * });
 * ```
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #client: RedisCommandClient;
  readonly #keys: KeyLayout;
  readonly #options: ReturnType<typeof resolveRateLimiterOptions>;
  // Approximate mode only.
  readonly #local = new Map<string, LocalWindow>();
  readonly #dirty = new Set<LocalWindow>();
  #syncing: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #calls = 0;

  constructor(options: RedisRateLimiterOptions) {
    this.#options = resolveRateLimiterOptions(options);
    this.#client = this.#options.client;
    this.#keys = new KeyLayout(this.#options.namespace, clientKeyPrefix(this.#client));
    if (this.#options.mode === 'approximate') {
      this.#timer = setInterval(() => {
        if (this.#dirty.size > 0 && this.#syncing === undefined) {
          this.#sync().catch((error: unknown) => this.#options.onError(error));
        }
      }, this.#options.syncIntervalMs);
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /** `strict` or `approximate`. */
  get mode(): 'strict' | 'approximate' {
    return this.#options.mode;
  }

  /** Scripts sent to Redis so far (for measuring what approximate mode saves). */
  get redisCalls(): number {
    return this.#calls;
  }

  consume(
    requests: readonly RateLimitRequest[],
    cost: number,
    now: number,
  ): RateLimitDecision | Promise<RateLimitDecision> {
    if (this.#options.mode === 'strict') return this.#consumeStrict(requests, cost, now);
    return this.#consumeApproximate(requests, cost, now);
  }

  /** Writes what approximate mode counted locally, and stops its timer. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#syncing?.catch(() => {});
    if (this.#dirty.size > 0) await this.#sync();
  }

  async #consumeStrict(
    requests: readonly RateLimitRequest[],
    cost: number,
    now: number,
  ): Promise<RateLimitDecision> {
    const keys: string[] = [];
    const args: string[] = [String(now), String(cost)];
    for (const { subject, policy } of requests) {
      const window = windowIndexOf(now, policy.windowMs);
      keys.push(
        this.#keys.rateLimitKey(subject, window),
        this.#keys.rateLimitKey(subject, window - 1),
      );
      args.push(String(policy.limit), String(policy.windowMs));
    }
    let reply: unknown;
    try {
      this.#calls++;
      reply = await consumeScript.run(this.#client, keys, args);
    } catch (error) {
      return this.#failed(error);
    }
    const counts = (reply as unknown[]).map(Number);
    const allowed = counts[0] === 1;
    const states: RateLimitState[] = [];
    let retryAfterMs = 0;
    requests.forEach((request, index) => {
      const current = counts[1 + 2 * index]!;
      const previous = counts[2 + 2 * index]!;
      states.push(stateOf(request, previous, current, now));
      if (!allowed) {
        retryAfterMs = Math.max(
          retryAfterMs,
          slidingWindowRetryAfterMs(request.policy, previous, current, now, cost),
        );
      }
    });
    return { allowed, retryAfterMs, states };
  }

  // Plain loops, no closures: this runs on every request of a cache hit with a limit.
  #consumeApproximate(
    requests: readonly RateLimitRequest[],
    cost: number,
    now: number,
  ): RateLimitDecision | Promise<RateLimitDecision> {
    const share = this.#options.localShare;
    const windows: LocalWindow[] = [];
    let mustSync = false;
    for (let index = 0; index < requests.length; index++) {
      const request = requests[index]!;
      const local = this.#window(request, now);
      windows.push(local);
      if (mustSync) continue;
      const policy = request.policy;
      const known = estimate(local.previous, local.current, policy, now);
      const allowance = Math.max(1, Math.floor((policy.limit - known) * share));
      // Refusals need no sync: what others counted meanwhile can only make them truer.
      mustSync = local.pending + cost > allowance && known + local.pending + cost <= policy.limit;
    }
    if (!mustSync) return this.#decideLocally(requests, windows, cost, now);
    return this.#syncThenDecide(requests, cost, now);
  }

  async #syncThenDecide(
    requests: readonly RateLimitRequest[],
    cost: number,
    now: number,
  ): Promise<RateLimitDecision> {
    try {
      await (this.#syncing ?? this.#sync());
      // Joined someone else's sync: this request's subjects may not have been in it.
      if (requests.some((request) => this.#window(request, now).pending > 0)) await this.#sync();
    } catch (error) {
      return this.#failed(error);
    }
    return this.#decideLocally(
      requests,
      requests.map((request) => this.#window(request, now)),
      cost,
      now,
    );
  }

  #decideLocally(
    requests: readonly RateLimitRequest[],
    windows: readonly LocalWindow[],
    cost: number,
    now: number,
  ): RateLimitDecision {
    let allowed = true;
    let retryAfterMs = 0;
    for (let index = 0; index < windows.length; index++) {
      const local = windows[index]!;
      const policy = requests[index]!.policy;
      const current = local.current + local.pending;
      if (estimate(local.previous, current, policy, now) + cost > policy.limit) {
        allowed = false;
        retryAfterMs = Math.max(
          retryAfterMs,
          slidingWindowRetryAfterMs(policy, local.previous, current, now, cost),
        );
      }
    }
    const states: RateLimitState[] = [];
    for (let index = 0; index < windows.length; index++) {
      const local = windows[index]!;
      if (allowed && cost > 0) {
        local.pending += cost;
        this.#dirty.add(local);
      }
      states.push(stateOf(requests[index]!, local.previous, local.current + local.pending, now));
    }
    return { allowed, retryAfterMs, states };
  }

  // The local state of a subject, moved to the window that holds `now`.
  #window(request: RateLimitRequest, now: number): LocalWindow {
    const windowMs = request.policy.windowMs;
    const window = windowIndexOf(now, windowMs);
    let local = this.#local.get(request.subject);
    if (local === undefined || local.windowMs !== windowMs) {
      local = {
        subject: request.subject,
        windowMs,
        window,
        previous: 0,
        current: 0,
        pending: 0,
        pendingPrevious: 0,
      };
      this.#remember(local);
    } else if (window > local.window) {
      const next = window === local.window + 1;
      local.previous = next ? local.current + local.pending : 0;
      local.pendingPrevious = next ? local.pending : 0;
      local.current = 0;
      local.pending = 0;
      local.window = window;
    }
    return local;
  }

  #remember(local: LocalWindow): void {
    // Bounded: the oldest subjects go first; their unsynced counts still go out (they stay in
    // the dirty set until the next sync).
    if (this.#local.size >= this.#options.maxSubjects) {
      const oldest = this.#local.keys().next().value as string;
      this.#local.delete(oldest);
    }
    this.#local.set(local.subject, local);
  }

  // One script for every subject counted since the last sync; then the counts Redis has.
  #sync(): Promise<void> {
    const batch = [...this.#dirty];
    this.#dirty.clear();
    const sent = batch.map((local) => ({
      local,
      window: local.window,
      pending: local.pending,
      pendingPrevious: local.pendingPrevious,
    }));
    const keys: string[] = [];
    const args: string[] = [];
    for (const entry of sent) {
      const { subject, windowMs } = entry.local;
      keys.push(
        this.#keys.rateLimitKey(subject, entry.window),
        this.#keys.rateLimitKey(subject, entry.window - 1),
      );
      args.push(String(entry.pending), String(entry.pendingPrevious), String(windowMs));
    }
    const syncing = (async () => {
      if (sent.length === 0) return;
      let reply: unknown;
      try {
        this.#calls++;
        reply = await syncScript.run(this.#client, keys, args);
      } catch (error) {
        // Nothing was added: the counts go out with the next sync.
        for (const entry of sent) this.#dirty.add(entry.local);
        throw error;
      }
      const counts = (reply as unknown[]).map(Number);
      sent.forEach((entry, index) => {
        const local = entry.local;
        const current = counts[2 * index]!;
        const previous = counts[2 * index + 1]!;
        if (local.window === entry.window) {
          local.current = current;
          local.previous = previous;
          local.pending -= entry.pending;
          local.pendingPrevious -= entry.pendingPrevious;
        } else if (local.window === entry.window + 1) {
          // The window rolled while the batch was out: what was sent as current is now previous.
          local.pendingPrevious = Math.max(0, local.pendingPrevious - entry.pending);
          local.previous = current + local.pendingPrevious;
        }
        if (local.pending > 0 || local.pendingPrevious > 0) this.#dirty.add(local);
      });
    })().finally(() => {
      if (this.#syncing === syncing) this.#syncing = undefined;
    });
    this.#syncing = syncing;
    return syncing;
  }

  #failed(error: unknown): RateLimitDecision {
    this.#options.onError(error);
    return this.#options.onStoreError === 'fail-open' ? FAILED_OPEN : UNAVAILABLE;
  }
}

function estimate(previous: number, current: number, policy: RateLimitPolicy, now: number): number {
  const elapsed = now - windowIndexOf(now, policy.windowMs) * policy.windowMs;
  return (previous * (policy.windowMs - elapsed)) / policy.windowMs + current;
}

function stateOf(
  request: RateLimitRequest,
  previous: number,
  current: number,
  now: number,
): RateLimitState {
  const policy = request.policy;
  return {
    name: request.name,
    limit: policy.limit,
    windowMs: policy.windowMs,
    remaining: slidingWindowRemaining(policy, previous, current, now),
    resetMs: slidingWindowResetMs(policy, previous, current, now),
  };
}
