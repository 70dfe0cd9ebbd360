// The promise of docs/design.md ("Storage" and "Errors"): a key never appears in a record, a
// listing, an error or a problem body. Every refusal below is asserted to have happened (with its
// code), then everything collected is searched for each key and for its body.
import { describe, expect, it } from 'vitest';
import type { ApiKeyErrorCode } from './errors.js';
import { generateApiKey } from './generate.js';
import { createKeygate } from './keygate.js';
import { MemoryKeyStore } from './memory-key-store.js';
import type { VerifyResult } from './verifier-result.js';

describe('no plaintext key anywhere', () => {
  it('is absent from stored records, listings, contexts, errors and problem bodies', async () => {
    const store = new MemoryKeyStore();
    const { keys, verifier } = createKeygate({
      store,
      onError: () => {},
      rateLimit: { limit: 1, windowMs: 60_000 },
    });
    const seen: unknown[] = [];
    const refusals: string[] = [];
    // Records a refusal that must have happened, with its error, message and problem body.
    const refused = (result: VerifyResult, code: ApiKeyErrorCode) => {
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe(code);
      const problem = verifier.problem(result.error);
      expect(problem.body.code).toBe(code);
      seen.push(result.error, result.error.message, problem);
      refusals.push(problem.json);
    };
    const created = [];
    for (let index = 0; index < 50; index++) {
      created.push(
        await keys.create({ organisationId: 'org', name: `key ${index}`, scopes: ['a'] }),
      );
    }
    seen.push(...created.map((c) => c.record), await keys.list('org'));
    for (const { key, record } of created.slice(0, 10)) {
      const accepted = await verifier.verify(key);
      expect(accepted.ok).toBe(true);
      seen.push(await store.findById(record.id), accepted);
      refused(await verifier.verify(key), 'rate_limited');
      refused(await verifier.verify(key, { requiredScopes: ['b'] }), 'insufficient_scope');
    }
    const rotated = await keys.rotate(created[10]!.record.id);
    seen.push(rotated.record, rotated.previous);
    await keys.revoke(created[11]!.record.id);
    refused(await verifier.verify(created[11]!.key), 'revoked_api_key');
    // refusals of near-miss keys echo nothing of what was sent
    const { key: unknown } = generateApiKey();
    refused(await verifier.verify(unknown), 'invalid_api_key');
    refused(await verifier.verify(`${unknown}x`), 'malformed_api_key');
    refused(await verifier.verify(unknown.replace('sk_live_', 'sk_test_')), 'malformed_api_key');
    refused(await verifier.verify(`Bearer ${unknown}`), 'malformed_api_key');
    const text = JSON.stringify(seen, (_key, value) =>
      value instanceof Error ? { ...value, message: value.message, stack: value.stack } : value,
    );
    expect(refusals).toHaveLength(25);
    for (const key of [...created.map((c) => c.key), rotated.key, unknown]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(14));
      for (const body of refusals) expect(body).not.toContain(key.slice(14));
    }
  });
});
