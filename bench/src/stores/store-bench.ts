// Child process: verifications that miss the cache and read one store (argv: redis | postgres |
// mariadb | sqlite) — p50/p99 one at a time, and throughput with 50 in flight.
import { createKeygate, type Keygate } from '@keygate/core';
import { serveParent } from '../children.js';
import { createKeys } from '../core/fixtures.js';
import { latencyPercentiles, type Spread, spread } from '../statistics.js';
import { type OpenStore, openStore, type StoreName, StoreUnavailable } from './connect.js';

/** What the parent asks for. */
export interface StoreRequest {
  readonly rounds: number;
  readonly sequentialCalls: number;
  readonly concurrentMs: number;
  readonly inFlight: number;
}

/** Latencies in milliseconds, throughput in verifications per second. */
export interface StoreFigures {
  readonly server: string;
  readonly keys: number;
  /** verify(), one at a time. */
  readonly sequential: { readonly p50: Spread; readonly p99: Spread };
  /** The store's findByHash alone, one at a time: what verify() adds on top of the read. */
  readonly findByHash: { readonly p50: Spread; readonly p99: Spread };
  /** verify() with `inFlight` at once. */
  readonly concurrent: {
    readonly perSecond: Spread;
    readonly p50: Spread;
    readonly p99: Spread;
  };
}

const name = process.argv[2] as StoreName;
const KEYS = 1_000;
let opened: OpenStore | undefined;
let keygate: Keygate | undefined;
let keys: string[] = [];
let digests: string[] = [];

async function init() {
  try {
    opened = await openStore(name);
  } catch (error) {
    if (error instanceof StoreUnavailable) return { skipped: error.message };
    throw error;
  }
  // No cache: every verification reads the store. No last-used writes: only the read is timed.
  keygate = createKeygate({ store: opened.store, cache: false, lastUsed: false });
  try {
    keys = await createKeys(keygate, KEYS);
  } catch (error) {
    await opened.close().catch(() => {});
    opened = undefined;
    throw error;
  }
  const digest = keygate.verifier.options.digester.current.digest;
  digests = keys.map((key) => digest(key));
  return { server: opened.server, where: opened.where };
}

async function timeOne(call: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await call();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function sequential(calls: number, call: (index: number) => Promise<unknown>) {
  const latencies = new Float64Array(calls);
  for (let index = 0; index < calls; index++) latencies[index] = await timeOne(() => call(index));
  return latencyPercentiles(latencies);
}

async function verifyOk(index: number): Promise<void> {
  const result = await keygate!.verifier.verify(keys[index % KEYS]!);
  if (!result.ok) throw new Error(`verification failed: ${result.error.code}`);
}

async function concurrent(durationMs: number, inFlight: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(durationMs) * 1_000_000n;
  const worker = async () => {
    while (process.hrtime.bigint() < deadline) {
      const index = next++;
      latencies.push(await timeOne(() => verifyOk(index)));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: latencies.length / seconds, ...latencyPercentiles(latencies) };
}

async function measure(request: StoreRequest): Promise<StoreFigures> {
  const store = opened!.store;
  await sequential(300, verifyOk);
  const runs = {
    verify: [] as Array<{ p50: number; p99: number }>,
    find: [] as Array<{ p50: number; p99: number }>,
    concurrent: [] as Array<{ perSecond: number; p50: number; p99: number }>,
  };
  for (let round = 0; round < request.rounds; round++) {
    runs.verify.push(await sequential(request.sequentialCalls, verifyOk));
    runs.find.push(
      await sequential(request.sequentialCalls, (index) =>
        store.findByHash(digests[index % KEYS]!),
      ),
    );
    runs.concurrent.push(await concurrent(request.concurrentMs, request.inFlight));
  }
  const pick = <T, K extends keyof T>(items: T[], key: K) =>
    spread(items.map((item) => item[key] as number));
  return {
    server: opened!.server,
    keys: KEYS,
    sequential: { p50: pick(runs.verify, 'p50'), p99: pick(runs.verify, 'p99') },
    findByHash: { p50: pick(runs.find, 'p50'), p99: pick(runs.find, 'p99') },
    concurrent: {
      perSecond: pick(runs.concurrent, 'perSecond'),
      p50: pick(runs.concurrent, 'p50'),
      p99: pick(runs.concurrent, 'p99'),
    },
  };
}

async function close(): Promise<void> {
  await keygate?.close();
  keygate = undefined;
  const open = opened;
  opened = undefined;
  await open?.close();
}

await serveParent(init, { measure, close }, close);
