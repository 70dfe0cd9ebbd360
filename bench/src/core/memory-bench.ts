// Child process (run with --expose-gc): bytes per key of the memory store and of a verifier cache
// entry, as heap deltas after full collections.
import { createKeygate, MemoryKeyStore } from '@keygate/core';
import { serveParent } from '../children.js';
import { createKeys } from './fixtures.js';

const collect = (globalThis as { gc?: () => void }).gc;

async function heapAfterCollection(): Promise<number> {
  if (collect === undefined) throw new Error('run with --expose-gc');
  for (let pass = 0; pass < 3; pass++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Bytes per key of the store and of a cache entry, with `size` keys. */
async function measure({ size }: { size: number }) {
  const empty = await heapAfterCollection();
  const store = new MemoryKeyStore();
  const keygate = createKeygate({
    store,
    cache: { maxEntries: size + 1, ttlMs: 3_600_000 },
    lastUsed: false,
  });
  let keys: string[] | undefined = await createKeys(keygate, size);
  const withKeys = await heapAfterCollection();
  for (const key of keys) {
    const result = await keygate.verifier.verify(key);
    if (!result.ok) throw new Error(`verifying: ${result.error.code}`);
  }
  const withCache = await heapAfterCollection();
  // Drop the plaintext keys: what stays is what the store and the cache hold.
  keys = undefined;
  const held = await heapAfterCollection();
  const cacheBytes = withCache - withKeys;
  const storeBytes = held - empty - cacheBytes;
  if (store.size !== size) throw new Error('the store lost keys');
  await keygate.close();
  return { size, storeBytesPerKey: storeBytes / size, cacheBytesPerEntry: cacheBytes / size };
}

await serveParent(() => ({}), { measure });
