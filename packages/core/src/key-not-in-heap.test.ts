// After a request, nothing keygate keeps holds the key (docs/design.md, "Storage"): a heap snapshot
// taken after verifying keys — accepted, refused, cached and not — holds no key's secret part.
import { getHeapSnapshot } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createKeygate } from './keygate.js';
import { MemoryKeyStore } from './memory-key-store.js';

// The test keeps each key's secret part only reversed, so that its own memory cannot be what the
// snapshot finds; the search strings are built after the snapshot is taken.
const reversed = (text: string) => [...text].reverse().join('');

async function snapshotText(): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(String(chunk));
  return chunks.join('');
}

describe('a heap snapshot after verifying', () => {
  it("holds no key's secret part (what follows the display prefix)", async () => {
    const store = new MemoryKeyStore();
    const keygate = createKeygate({ store, onError: () => {} });
    const hidden: string[] = [];
    // Every key lives only inside this function, as a request's header value would.
    const verifySome = async () => {
      for (let index = 0; index < 3; index++) {
        const { key } = await keygate.keys.create({ organisationId: 'org', name: `k${index}` });
        // A fresh copy, as a header value is a new string on every request.
        const header = () => key.split('').join('');
        expect((await keygate.verifier.verify(header())).ok).toBe(true); // store, then cached
        expect((await keygate.verifier.verify(header())).ok).toBe(true); // cache hit
        hidden.push(reversed(key.slice(14)));
      }
      const { key: unknown, record } = await keygate.keys.create({
        organisationId: 'org',
        name: 'gone',
      });
      await keygate.keys.delete(record.id);
      expect((await keygate.verifier.verify(`${unknown}`)).ok).toBe(false); // invalid_api_key
      hidden.push(reversed(unknown.slice(14)));
    };
    await verifySome();
    const heap = await snapshotText();
    await keygate.close();
    expect(heap.length).toBeGreaterThan(1_000_000);
    for (const secret of hidden) expect(heap.includes(reversed(secret))).toBe(false);
  }, 120_000);
});
