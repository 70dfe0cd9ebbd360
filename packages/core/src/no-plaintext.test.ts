// The promise of DESIGN.md section 3 and 6: a key never appears in a record, a listing, an error
// or a problem body. Every place a key could leak is searched for the key and for its body.
import { describe, expect, it } from 'vitest';
import { generateApiKey } from './generate.js';
import { createKeygate } from './keygate.js';
import { MemoryKeyStore } from './memory-key-store.js';

describe('no plaintext key anywhere', () => {
  it('is absent from stored records, listings, contexts, errors and problem bodies', async () => {
    const store = new MemoryKeyStore();
    const { keys, verifier } = createKeygate({
      store,
      onError: () => {},
      rateLimit: { limit: 1, windowMs: 60_000 },
    });
    const seen: unknown[] = [];
    const created = [];
    for (let index = 0; index < 50; index++) {
      created.push(
        await keys.create({ organisationId: 'org', name: `key ${index}`, scopes: ['a'] }),
      );
    }
    seen.push(...created.map((c) => c.record), await keys.list('org'));
    for (const { key, record } of created.slice(0, 10)) {
      seen.push(await store.findById(record.id), await verifier.verify(key));
      const limited = await verifier.verify(key);
      const scoped = await verifier.verify(key, { requiredScopes: ['b'] });
      for (const result of [limited, scoped]) {
        if (!result.ok)
          seen.push(result.error, result.error.message, verifier.problem(result.error));
      }
    }
    const rotated = await keys.rotate(created[10]!.record.id);
    seen.push(rotated.record, rotated.previous);
    await keys.revoke(created[11]!.record.id);
    const revoked = await verifier.verify(created[11]!.key);
    if (!revoked.ok) seen.push(revoked.error, verifier.problem(revoked.error));
    // refusals of near-miss keys echo nothing of what was sent
    const { key: unknown } = generateApiKey();
    for (const value of [
      unknown,
      `${unknown}x`,
      unknown.replace('sk_live_', 'sk_test_'),
      `Bearer ${unknown}`,
    ]) {
      const result = await verifier.verify(value);
      if (!result.ok) seen.push(result.error.message, verifier.problem(result.error));
    }
    const text = JSON.stringify(seen, (_key, value) =>
      value instanceof Error ? { ...value, message: value.message, stack: value.stack } : value,
    );
    for (const key of [...created.map((c) => c.key), rotated.key, unknown]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(14));
    }
  });
});
