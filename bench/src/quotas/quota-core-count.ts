// Run under callgrind by the `quota-core-instructions` case (not an IPC child): makes 1,000 keys,
// warms `verify()` up, then makes `calls` more cache hits. Two runs that differ only in `calls`
// differ only by those calls, so their instruction counts give instructions per cache hit, the
// same whatever the neighbours do. argv: <plain | limited> <calls>.
import { createVerifier, MAX_RATE_LIMIT, type VerifyResult } from '@keygate/core';
import { fillMemoryStore } from '../core/fixtures.js';

const [variant, callsText] = process.argv.slice(2);
const calls = Number(callsText);
const WARM_UP = 50_000;

const { store, keys } = await fillMemoryStore(1_000);
const verifier = createVerifier({
  store,
  cache: { ttlMs: 3_600_000, negativeTtlMs: 3_600_000 },
  lastUsed: false,
  ...(variant === 'limited' ? { rateLimit: { limit: MAX_RATE_LIMIT, windowMs: 60_000 } } : {}),
});
let refused = 0;
const run = async (count: number) => {
  for (let call = 0; call < count; call++) {
    let result: VerifyResult | Promise<VerifyResult> = verifier.verify(keys[call % keys.length]!);
    if (result instanceof Promise) result = await result;
    if (!result.ok) refused++;
  }
};
await run(WARM_UP);
await run(calls);
await verifier.close();
if (refused > 0) throw new Error(`${refused} cache hits were refused`);
