// Child process: core figures in process — verify() on each path at several store sizes, digests
// and key generation. Started pinned to one CPU by run.ts; answers over IPC.
import { randomBytes } from 'node:crypto';
import {
  createKeyDigester,
  createVerifier,
  generateApiKey,
  MemoryKeyStore,
  parseApiKey,
  type Verifier,
  type VerifyResult,
} from '@keygate/core';
import { serveParent } from '../children.js';
import { type Spread, shuffle, spread } from '../statistics.js';
import { badChecksumKeys, fillMemoryStore, malformedKeys, unknownKeys } from './fixtures.js';
import { ALL_CACHED_HIT, HOT_HIT, NOBLE_HIT } from './operation-names.js';
import { callsPerSecond } from './rate.js';
import { subscriberCases } from './subscriber-cases.js';

/** What the parent asks for: rounds and the time of each operation in a round. */
export interface CoreRequest {
  readonly rounds: number;
  readonly roundMs: number;
}

/** Calls/s of each operation (median and range over rounds). */
export type CoreFigures = Record<string, Spread>;

/** The figures of one store size. */
export interface ScaleFigures {
  readonly size: number;
  readonly figures: CoreFigures;
  /** Verifications answered otherwise than expected (must be 0). */
  readonly wrongAnswers: number;
}

const POOL = 1_000;

let wrongAnswers = 0;

// Verifies keys from `pool` in turn; a result that is not `expectOk` counts as a wrong answer.
// Async only when verify() answers with a Promise (a store read).
function verifyBatch(verifier: Verifier, pool: readonly string[], expectOk: boolean) {
  let next = 0;
  return async (count: number) => {
    let wrong = 0;
    for (let call = 0; call < count; call++) {
      let result: VerifyResult | Promise<VerifyResult> = verifier.verify(pool[next]!);
      if (++next === pool.length) next = 0;
      if (result instanceof Promise) result = await result;
      if (result.ok !== expectOk) wrong++;
    }
    wrongAnswers += wrong;
  };
}

async function interleave(
  operations: ReadonlyArray<readonly [string, (count: number) => unknown]>,
  request: CoreRequest,
): Promise<CoreFigures> {
  const samples = new Map<string, number[]>(operations.map(([name]) => [name, []]));
  for (let round = 0; round < request.rounds; round++) {
    // Rotate the order so no operation always runs first (after a GC, or on a cold CPU cache).
    for (let index = 0; index < operations.length; index++) {
      const [name, batch] = operations[(index + round) % operations.length]!;
      samples.get(name)!.push(await callsPerSecond(batch, request.roundMs));
    }
  }
  return Object.fromEntries([...samples].map(([name, values]) => [name, spread(values)]));
}

async function warm(verifier: Verifier, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const result = await verifier.verify(key);
    if (!result.ok) throw new Error(`warming the cache: ${result.error.code}`);
  }
}

async function scale(request: CoreRequest & { size: number }): Promise<ScaleFigures> {
  wrongAnswers = 0;
  const { size } = request;
  const { store, keys } = await fillMemoryStore(size);
  // This cache is sized to hold every key, so a uniform visit of all keys is all hits: the figure
  // is a lookup among `size` entries, the worst case for the CPU's caches. TTLs outlast the run (filling 1M keys takes longer than the
  // default 30 s), so no entry turns into a store read half-way; a TTL costs the same to check.
  const cache = {
    maxEntries: Math.max(10_000, size + 1),
    ttlMs: 3_600_000,
    negativeTtlMs: 3_600_000,
  };
  const hits = createVerifier({ store, cache });
  await warm(hits, keys);
  const uniform = shuffle([...keys], size);
  const hot = uniform.slice(0, POOL);
  // What an application runs: the default cache (10,000 entries), busy keys a small part of all.
  // The store's size must not slow this down (the 1M-key target).
  const defaults = createVerifier({ store, cache: { ttlMs: 3_600_000, negativeTtlMs: 3_600_000 } });
  await warm(defaults, hot);
  const cold = createVerifier({ store, cache: false });
  const unknown = unknownKeys(POOL);
  const badChecksum = badChecksumKeys(unknown);
  const malformed = malformedKeys(unknown);
  const operations: Array<readonly [string, (count: number) => unknown]> = [
    [HOT_HIT, verifyBatch(defaults, hot, true)],
    [ALL_CACHED_HIT, verifyBatch(hits, uniform, true)],
    ['cold hit (cache off)', verifyBatch(cold, uniform, true)],
    ['unknown key (negative cache)', verifyBatch(defaults, unknown, false)],
    ['malformed (wrong prefix)', verifyBatch(defaults, malformed, false)],
    ['bad checksum', verifyBatch(defaults, badChecksum, false)],
    ...subscriberCases(defaults, hot, verifyBatch),
  ];
  let noble: Verifier | undefined;
  // The noble digester's own cache doubles the heap; at 1M keys its figure adds nothing new.
  if (size <= 100_000) {
    noble = createVerifier({ store, cache, digestImplementation: 'noble' });
    if (noble.options.digester.implementation !== 'noble') throw new Error('noble not selected');
    await warm(noble, keys);
    operations.splice(1, 0, [NOBLE_HIT, verifyBatch(noble, uniform, true)]);
  }
  const figures = await interleave(operations, request);
  await Promise.all([hits.close(), defaults.close(), cold.close(), noble?.close()]);
  return { size, figures, wrongAnswers };
}

// A memory store that counts lookups, to prove the cheap refusals never reach the store.
class CountingStore extends MemoryKeyStore {
  lookups = 0;
  override findByHash(hash: string) {
    this.lookups++;
    return super.findByHash(hash);
  }
}

async function hashing(request: CoreRequest) {
  const pepper = { id: 'bench', secret: randomBytes(32) };
  const node = createKeyDigester();
  const nodeHmac = createKeyDigester({ peppers: [pepper] });
  const noble = createKeyDigester({ implementation: 'noble' });
  const nobleHmac = createKeyDigester({ peppers: [pepper], implementation: 'noble' });
  if (node.implementation !== 'node') throw new Error('no Node crypto path on this runtime');
  const keys = unknownKeys(POOL);
  let sink = 0;
  const digestBatch = (digest: (key: string) => string) => (count: number) => {
    for (let call = 0; call < count; call++) sink += digest(keys[call % POOL]!).length;
  };
  const figures = await interleave(
    [
      ['SHA-256, Node', digestBatch(node.current.digest)],
      ['HMAC-SHA-256, Node', digestBatch(nodeHmac.current.digest)],
      ['SHA-256, noble', digestBatch(noble.current.digest)],
      ['HMAC-SHA-256, noble', digestBatch(nobleHmac.current.digest)],
      [
        'parseApiKey (valid key)',
        (count: number) => {
          for (let call = 0; call < count; call++)
            sink += parseApiKey(keys[call % POOL]!).ok ? 1 : 0;
        },
      ],
      [
        'generateApiKey',
        (count: number) => {
          for (let call = 0; call < count; call++) sink += generateApiKey().key.length;
        },
      ],
    ],
    request,
  );
  if (sink === 0) throw new Error('nothing was computed');

  const store = new CountingStore();
  const verifier = createVerifier({ store });
  for (const key of [...badChecksumKeys(keys), ...malformedKeys(keys)]) {
    const result = verifier.verify(key);
    if (result instanceof Promise || result.ok)
      throw new Error('a bad key was not refused at once');
  }
  await verifier.close();
  return { figures, storeLookupsForBadKeys: store.lookups };
}

await serveParent(() => ({ node: process.version }), { scale, hashing });
