// Child process (pinned to CPU 0 by the parent): the in-process quota figures. `rateLimitHit`:
// a cache hit with an in-memory rate limit against the same hit without one, interleaved round by
// round. `refusalBudget`: store reads under a flood of distinct unknown keys from one client
// address, with the refusal budget on (the adapters' default) and off.
import {
  createVerifier,
  MAX_RATE_LIMIT,
  MemoryKeyStore,
  type Verifier,
  type VerifyResult,
} from '@keygate/core';
import { serveParent } from '../children.js';
import { fillMemoryStore, unknownKeys } from '../core/fixtures.js';
import { callsPerSecond } from '../core/rate.js';
import { type Spread, spread } from '../statistics.js';

/** Rounds, and the time each variant runs in a round. */
export interface RateLimitHitRequest {
  readonly rounds: number;
  readonly roundMs: number;
}

/** Nanoseconds per cache hit without and with the limit, and the difference per round. */
export interface RateLimitHitFigures {
  readonly withoutNs: Spread;
  readonly withNs: Spread;
  readonly addedNs: Spread;
  /** Verifications that were not accepted (must be 0: the limit is never reached). */
  readonly wrongAnswers: number;
}

const POOL = 1_000;
const LONG = { ttlMs: 3_600_000, negativeTtlMs: 3_600_000 };

async function rateLimitHit(request: RateLimitHitRequest): Promise<RateLimitHitFigures> {
  const { store, keys } = await fillMemoryStore(POOL);
  const without = createVerifier({ store, cache: LONG, lastUsed: false });
  // The default limit of every key, counted per key by the default MemoryRateLimiter; high enough
  // that no request is refused, so both variants answer the same.
  const limited = createVerifier({
    store,
    cache: LONG,
    lastUsed: false,
    rateLimit: { limit: MAX_RATE_LIMIT, windowMs: 60_000 },
  });
  let wrongAnswers = 0;
  const batch = (verifier: Verifier) => {
    let next = 0;
    return async (count: number) => {
      for (let call = 0; call < count; call++) {
        let result: VerifyResult | Promise<VerifyResult> = verifier.verify(keys[next]!);
        if (++next === POOL) next = 0;
        if (result instanceof Promise) result = await result;
        if (!result.ok) wrongAnswers++;
      }
    };
  };
  for (const verifier of [without, limited]) await batch(verifier)(POOL);
  const withoutNs: number[] = [];
  const withNs: number[] = [];
  const runWithout = batch(without);
  const runWith = batch(limited);
  for (let round = 0; round < request.rounds; round++) {
    // A B, then B A: neither always runs first.
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const isLimited of order) {
      const rate = await callsPerSecond(isLimited ? runWith : runWithout, request.roundMs);
      (isLimited ? withNs : withoutNs).push(1e9 / rate);
    }
  }
  await Promise.all([without.close(), limited.close()]);
  return {
    withoutNs: spread(withoutNs),
    withNs: spread(withNs),
    addedNs: spread(withNs.map((ns, round) => ns - withoutNs[round]!)),
    wrongAnswers,
  };
}

/** How many distinct unknown keys the flood sends. */
export interface RefusalBudgetRequest {
  readonly keys: number;
}

/** Store reads and answers of one flood. */
export interface FloodFigures {
  readonly storeReads: number;
  readonly refusedUnknown: number;
  readonly refusedRateLimited: number;
  /** Budget windows (one minute each, aligned to the epoch) the flood ran through. */
  readonly windows: number;
  readonly seconds: number;
}

/** The flood with the budget on (default: 100 a minute per address) and off. */
export interface RefusalBudgetFigures {
  readonly keys: number;
  readonly on: FloodFigures;
  readonly off: FloodFigures;
}

// A memory store that counts digest lookups: each is what a real store would read.
class CountingStore extends MemoryKeyStore {
  reads = 0;
  override findByHash(hash: string) {
    this.reads++;
    return super.findByHash(hash);
  }
}

const CLIENT = '203.0.113.7';
const clientAddress = () => CLIENT;

async function flood(junk: readonly string[], budget: boolean): Promise<FloodFigures> {
  const store = new CountingStore();
  const verifier = createVerifier({
    store,
    lastUsed: false,
    ...(budget ? {} : { refusalBudget: false as const }),
  });
  const options = { clientAddress };
  let refusedUnknown = 0;
  let refusedRateLimited = 0;
  const started = Date.now();
  for (const key of junk) {
    let result: VerifyResult | Promise<VerifyResult> = verifier.verify(key, options, undefined);
    if (result instanceof Promise) result = await result;
    if (result.ok) throw new Error('an unknown key was accepted');
    if (result.error.code === 'rate_limited') refusedRateLimited++;
    else refusedUnknown++;
  }
  const ended = Date.now();
  await verifier.close();
  return {
    storeReads: store.reads,
    refusedUnknown,
    refusedRateLimited,
    windows: Math.floor(ended / 60_000) - Math.floor(started / 60_000) + 1,
    seconds: (ended - started) / 1000,
  };
}

async function refusalBudget(request: RefusalBudgetRequest): Promise<RefusalBudgetFigures> {
  const junk = unknownKeys(request.keys);
  const on = await flood(junk, true);
  const off = await flood(junk, false);
  return { keys: request.keys, on, off };
}

await serveParent(() => ({ node: process.version }), { rateLimitHit, refusalBudget });
