// Test data for store suites: complete records with unique ids and digests, and a polling wait.
import type { ApiKeyRecord } from '../record.js';

let sequence = 0;

/**
 * A complete, valid record with unique id, hash and organisation; override any field.
 * Times are whole milliseconds, the precision every store keeps.
 */
export function makeTestRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const unique = `${Date.now().toString(36)}${(sequence++).toString(36)}${crypto.randomUUID().slice(0, 8)}`;
  return {
    id: crypto.randomUUID(),
    organisationId: `org_${unique}`,
    name: 'Production API',
    prefix: 'sk_live_AbCdEf',
    hash: `hash_${unique}_${crypto.randomUUID()}`.slice(0, 43),
    hashVersion: 'sha256',
    environment: 'live',
    scopes: ['sites:read', 'sites:write'],
    metadata: { team: 'platform', nested: { ok: true, list: [1, 2, 3] } },
    createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    replacedById: null,
    disabledAt: null,
    rateLimit: null,
    credits: null,
    leakedAt: null,
    leakSource: null,
    ...overrides,
  };
}

/** Waits until `condition` holds or `timeoutMs` passed (the caller then asserts). */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
}
