// Child process (the client pinned to CPU 1 by the parent; Redis is not ours to pin): what the
// Redis rate limiter adds. `strictLatency`: per-verification latency of a cache hit without a
// limiter and with RedisRateLimiter `strict`, interleaved. `approximateCalls`: Redis commands per
// request at a paced ~1k requests/s, `approximate` against `strict`, counted by wrapping the
// client's sendCommand (every command the limiter sends goes through it; this client is its own).
import {
  createVerifier,
  MAX_RATE_LIMIT,
  type RateLimitPolicy,
  type Verifier,
  type VerifyResult,
} from '@keygate/core';
import { RedisRateLimiter } from '@keygate/redis';
import { serveParent } from '../children.js';
import { fillMemoryStore } from '../core/fixtures.js';
import { latencyPercentiles, type Spread, spread } from '../statistics.js';
import { connectBenchRedis, removeNamespaceAndDisconnect } from './bench-redis.js';

const namespace = `keygate-bench-quotas-${process.pid}`;
const client = await connectBenchRedis();

// Counts every command the limiter's client sends.
let commands = 0;
const sendCommand = client.sendCommand.bind(client);
client.sendCommand = ((...args: Parameters<typeof sendCommand>) => {
  commands++;
  return sendCommand(...args);
}) as typeof client.sendCommand;

const LONG = { ttlMs: 3_600_000, negativeTtlMs: 3_600_000 };
/** High enough that nothing is refused: the figures are the limiter's cost, not its refusals. */
const NEVER_REACHED: RateLimitPolicy = { limit: MAX_RATE_LIMIT, windowMs: 60_000 };

async function timed(verifier: Verifier, key: string): Promise<number> {
  const started = process.hrtime.bigint();
  let result: VerifyResult | Promise<VerifyResult> = verifier.verify(key);
  if (result instanceof Promise) result = await result;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (!result.ok) throw new Error(`refused: ${result.error.code}`);
  return elapsed;
}

/** Rounds and sequential verifications per variant and round. */
export interface StrictLatencyRequest {
  readonly rounds: number;
  readonly calls: number;
}

/** Milliseconds; `addedP99` is the per-round p99 with strict minus without, over rounds. */
export interface StrictLatencyFigures {
  readonly withoutP50: Spread;
  readonly withoutP99: Spread;
  readonly strictP50: Spread;
  readonly strictP99: Spread;
  readonly addedP50: Spread;
  readonly addedP99: Spread;
}

async function strictLatency(request: StrictLatencyRequest): Promise<StrictLatencyFigures> {
  const { store, keys } = await fillMemoryStore(100);
  const without = createVerifier({ store, cache: LONG, lastUsed: false });
  const limiter = new RedisRateLimiter({ client, namespace, mode: 'strict' });
  const strict = createVerifier({
    store,
    cache: LONG,
    lastUsed: false,
    rateLimit: NEVER_REACHED,
    rateLimiter: limiter,
  });
  const figures = { withoutP50: [], withoutP99: [], strictP50: [], strictP99: [] } as Record<
    string,
    number[]
  >;
  for (const verifier of [without, strict]) for (const key of keys) await timed(verifier, key);
  for (let round = 0; round < request.rounds; round++) {
    const order = round % 2 === 0 ? ['without', 'strict'] : ['strict', 'without'];
    for (const name of order) {
      const verifier = name === 'strict' ? strict : without;
      const latencies = new Float64Array(request.calls);
      for (let call = 0; call < request.calls; call++) {
        latencies[call] = await timed(verifier, keys[call % keys.length]!);
      }
      const { p50, p99 } = latencyPercentiles(latencies);
      figures[`${name}P50`]!.push(p50);
      figures[`${name}P99`]!.push(p99);
    }
  }
  await Promise.all([without.close(), strict.close()]);
  const added = (which: 'P50' | 'P99') =>
    spread(
      figures[`strict${which}`]!.map((value, round) => value - figures[`without${which}`]![round]!),
    );
  return {
    withoutP50: spread(figures.withoutP50!),
    withoutP99: spread(figures.withoutP99!),
    strictP50: spread(figures.strictP50!),
    strictP99: spread(figures.strictP99!),
    addedP50: added('P50'),
    addedP99: added('P99'),
  };
}

/** Seconds of paced load per mode, requests per second, and how many keys share it. */
export interface ApproximateCallsRequest {
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly keys: number;
}

/** Requests sent and Redis commands counted, per mode. */
export interface ModeCalls {
  readonly requests: number;
  readonly commands: number;
  readonly perRequest: number;
  readonly achievedRequestsPerSecond: number;
}

export interface ApproximateCallsFigures {
  readonly strict: ModeCalls;
  readonly approximate: ModeCalls;
}

// Paced load: every 10 ms, the requests due since the start (so a late tick catches up).
async function pacedLoad(
  verifier: Verifier,
  keys: readonly string[],
  request: ApproximateCallsRequest,
): Promise<ModeCalls> {
  const before = commands;
  const started = Date.now();
  const end = started + request.seconds * 1000;
  let sent = 0;
  let next = 0;
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - started) / 1000) * request.requestsPerSecond);
    const pending: Promise<unknown>[] = [];
    for (; sent < due; sent++) {
      const result = verifier.verify(keys[next]!);
      if (++next === keys.length) next = 0;
      if (result instanceof Promise) pending.push(result);
      else if (!result.ok) throw new Error(`refused: ${result.error.code}`);
    }
    await Promise.all(pending);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const seconds = (Date.now() - started) / 1000;
  const counted = commands - before;
  return {
    requests: sent,
    commands: counted,
    perRequest: counted / sent,
    achievedRequestsPerSecond: sent / seconds,
  };
}

async function approximateCalls(
  request: ApproximateCallsRequest,
): Promise<ApproximateCallsFigures> {
  const { store, keys } = await fillMemoryStore(request.keys);
  const run = async (mode: 'strict' | 'approximate') => {
    const limiter = new RedisRateLimiter({ client, namespace, mode });
    const verifier = createVerifier({
      store,
      cache: LONG,
      lastUsed: false,
      rateLimit: NEVER_REACHED,
      rateLimiter: limiter,
    });
    // Load the keys into the cache first (store reads are not Redis commands, but keep it alike).
    for (const key of keys) await verifier.verify(key);
    const figures = await pacedLoad(verifier, keys, request);
    // close() writes what approximate mode still holds: those commands are part of its cost.
    const beforeClose = commands;
    await verifier.close();
    const atClose = commands - beforeClose;
    return {
      ...figures,
      commands: figures.commands + atClose,
      perRequest: (figures.commands + atClose) / figures.requests,
    };
  };
  const strict = await run('strict');
  const approximate = await run('approximate');
  return { strict, approximate };
}

await serveParent(
  async () => {
    const info = await client.info('server');
    return { server: `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`, namespace };
  },
  { strictLatency, approximateCalls },
  () => removeNamespaceAndDisconnect(client, namespace),
);
