import { describe, expect, it } from 'vitest';
import { createKeygate } from '../keygate.js';
import { MemoryKeyStore } from '../memory-key-store.js';
import { createScopeGuard } from './scope-guard.js';

async function contextWith(scopes: string[]) {
  const keygate = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
  const { key } = await keygate.keys.create({ organisationId: 'org_1', name: 'Test', scopes });
  const result = await keygate.verifier.verify(key);
  if (!result.ok) throw new Error(`refused: ${result.error.code}`);
  return result.context;
}

describe('createScopeGuard', () => {
  const guard = createScopeGuard(['sites:write'], '@keygate/test', 'apiKeyAuth()');

  it('lets a context with every scope through', async () => {
    expect(guard(await contextWith(['sites:write', 'sites:read']))).toBeUndefined();
  });

  it("answers the verifier's 403 problem for a missing scope", async () => {
    const decision = guard(await contextWith(['sites:read']));
    expect(decision).not.toBeInstanceOf(Error);
    expect(decision).toMatchObject({
      status: 403,
      body: { code: 'insufficient_scope', missingScopes: ['sites:write'] },
    });
  });

  it('returns an error naming the package when no auth ran before it', () => {
    for (const context of [undefined, null]) {
      const decision = guard(context);
      expect(decision).toBeInstanceOf(Error);
      expect((decision as Error).message).toBe(
        '@keygate/test: requireScopes() runs only after apiKeyAuth()',
      );
    }
  });

  it('returns that error for a context no verifier built', () => {
    const forged = { keyId: 'key_1', organisationId: 'org_1', scopes: ['sites:write'] };
    expect(guard(forged as never)).toBeInstanceOf(Error);
  });

  it('throws a TypeError at start-up for bad scopes', () => {
    expect(() => createScopeGuard([], '@keygate/test', 'apiKeyAuth()')).toThrow(TypeError);
    expect(() => createScopeGuard([''], '@keygate/test', 'apiKeyAuth()')).toThrow(
      /^@keygate\/test: requireScopes: "" is not a scope a route can require/,
    );
    // The same rule as a key's scopes, and no wildcard: a route names one permission.
    expect(() => createScopeGuard(['sites:*'], '@keygate/test', 'apiKeyAuth()')).toThrow(TypeError);
    expect(() => createScopeGuard(['has space'], '@keygate/test', 'apiKeyAuth()')).toThrow(
      TypeError,
    );
  });
});
