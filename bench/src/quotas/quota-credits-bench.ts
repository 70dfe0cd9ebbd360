// Child process (the client pinned to CPU 1 by the parent): one store's credit decrement,
// `consumeCredits(id, 1, now)` (one atomic step in every store), timed call by call, against a
// plain digest lookup on the same store in the same rounds. argv: <store>.
import {
  type ApiKeyRecord,
  createKeygate,
  type KeyStore,
  MAX_CREDITS,
  MemoryKeyStore,
} from '@keygate/core';
import { serveParent } from '../children.js';
import { latencyPercentiles, type Spread, spread } from '../statistics.js';
import { type OpenStore, openStore, type StoreName, StoreUnavailable } from '../stores/connect.js';

export type CreditStoreName = 'memory' | StoreName;
const name = process.argv[2] as CreditStoreName;

let opened: OpenStore | undefined;
let store: KeyStore;
let record: ApiKeyRecord;

/** Rounds, and sequential calls of each operation per round. */
export interface CreditsRequest {
  readonly rounds: number;
  readonly calls: number;
}

/** Milliseconds, medians over rounds of each round's p50 and p99. */
export interface CreditsFigures {
  readonly decrementP50: Spread;
  readonly decrementP99: Spread;
  readonly lookupP50: Spread;
  readonly lookupP99: Spread;
  /** Per round: decrement p50 over lookup p50. */
  readonly p50Ratio: Spread;
  /** The balance taken in all (must equal the decrements made). */
  readonly taken: number;
  readonly decrements: number;
}

async function time(operation: () => Promise<unknown>, calls: number): Promise<Float64Array> {
  const latencies = new Float64Array(calls);
  for (let call = 0; call < calls; call++) {
    const started = process.hrtime.bigint();
    await operation();
    latencies[call] = Number(process.hrtime.bigint() - started) / 1e6;
  }
  return latencies;
}

async function measure(request: CreditsRequest): Promise<CreditsFigures> {
  const samples: Record<string, number[]> = {
    decrementP50: [],
    decrementP99: [],
    lookupP50: [],
    lookupP99: [],
  };
  let decrements = 0;
  const decrement = async () => {
    const consumed = await store.consumeCredits(record.id, 1, new Date());
    if (consumed === null || !consumed.ok) throw new Error('the decrement was refused');
    decrements++;
  };
  const lookup = async () => {
    if ((await store.findByHash(record.hash)) === null) throw new Error('the key is gone');
  };
  await time(decrement, 200);
  await time(lookup, 200);
  for (let round = 0; round < request.rounds; round++) {
    const order = round % 2 === 0 ? ['decrement', 'lookup'] : ['lookup', 'decrement'];
    for (const operation of order) {
      const latencies = await time(operation === 'decrement' ? decrement : lookup, request.calls);
      const { p50, p99 } = latencyPercentiles(latencies);
      samples[`${operation}P50`]!.push(p50);
      samples[`${operation}P99`]!.push(p99);
    }
  }
  const after = await store.findById(record.id);
  return {
    decrementP50: spread(samples.decrementP50!),
    decrementP99: spread(samples.decrementP99!),
    lookupP50: spread(samples.lookupP50!),
    lookupP99: spread(samples.lookupP99!),
    p50Ratio: spread(
      samples.decrementP50!.map((value, round) => value / samples.lookupP50![round]!),
    ),
    taken: MAX_CREDITS - (after?.credits?.remaining ?? 0),
    decrements,
  };
}

await serveParent(
  async () => {
    let where = 'in process';
    if (name === 'memory') store = new MemoryKeyStore();
    else {
      try {
        opened = await openStore(name);
      } catch (error) {
        if (error instanceof StoreUnavailable) return { skipped: error.message };
        throw error;
      }
      store = opened.store;
      where = `${opened.server}, ${opened.where}`;
    }
    // Never runs out in a run, and no refill: every call is one plain decrement.
    const keygate = createKeygate({ store, cache: false, lastUsed: false });
    const created = await keygate.keys.create({
      organisationId: 'org_bench',
      name: 'Metered bench key',
      credits: { remaining: MAX_CREDITS },
    });
    await keygate.close();
    const found = await store.findById(created.record.id);
    if (found === null) throw new Error('the bench key was not stored');
    record = found;
    return { where };
  },
  { measure },
  async () => {
    await opened?.close();
  },
);
