// The verifier's cache: entries by tag, found again by every digest they were cached under, and an
// index that never outlives the entries it points to.
import { describe, expect, it } from 'vitest';
import { type CachedKey, refusedEntry, VerifierCache } from './verifier-cache.js';
import type { VerifyResult } from './verifier-result.js';

const accepted = (id: string): CachedKey => ({
  ...refusedEntry({ ok: true, context: {} } as unknown as VerifyResult, id),
});
const refused = (id?: string) =>
  refusedEntry({ ok: false, error: new Error('no') } as unknown as VerifyResult, id);

describe('VerifierCache', () => {
  it('finds an entry by tag and by each digest it was cached under, with its TTL', () => {
    const cache = new VerifierCache({ maxEntries: 10, ttlMs: 30_000, negativeTtlMs: 5_000 });
    const entry = accepted('a');
    cache.remember('tag-a', ['current', 'stored'], entry, 1_000);
    expect(cache.get('tag-a')).toBe(entry);
    expect(cache.byDigest('current')).toBe(entry);
    expect(cache.byDigest('stored')).toBe(entry);
    expect(entry.cachedUntil).toBe(31_000);
    const no = refused();
    cache.remember('tag-b', ['other'], no, 1_000);
    expect(no.cachedUntil).toBe(6_000);
  });

  it('drops an entry when any of its digests is invalidated, and its index with it', () => {
    const cache = new VerifierCache({ maxEntries: 10, ttlMs: 1, negativeTtlMs: 1 });
    cache.remember('tag-a', ['current', 'stored'], accepted('a'), 0);
    cache.delete('stored');
    expect(cache.get('tag-a')).toBeUndefined();
    expect(cache.byDigest('current')).toBeUndefined();
    expect(cache.indexSize).toBe(0);
  });

  it('moves a key between the valid and refused caches without a second entry', () => {
    const cache = new VerifierCache({ maxEntries: 10, ttlMs: 1, negativeTtlMs: 1 });
    cache.remember('tag-a', ['d'], accepted('a'), 0);
    const revoked = refused('a');
    cache.remember('tag-a', ['d'], revoked, 0);
    expect(cache.get('tag-a')).toBe(revoked);
    expect(cache.size).toBe(1);
    expect(cache.indexSize).toBe(1);
  });

  it('forgets the digests of entries it evicts, so the index stays bounded', () => {
    const cache = new VerifierCache({ maxEntries: 50, ttlMs: 1, negativeTtlMs: 1 });
    for (let index = 0; index < 10_000; index++) {
      cache.remember(
        `tag-${index}`,
        [`digest-${index}`, `stored-${index}`],
        accepted(`${index}`),
        0,
      );
    }
    expect(cache.size).toBeLessThanOrEqual(100);
    expect(cache.indexSize).toBe(cache.size * 2);
    expect(cache.byDigest('digest-9999')).toBeDefined();
    expect(cache.byDigest('digest-0')).toBeUndefined();
  });

  it('clears entries and index together', () => {
    const cache = new VerifierCache({ maxEntries: 10, ttlMs: 1, negativeTtlMs: 1 });
    cache.remember('tag-a', ['d'], accepted('a'), 0);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.indexSize).toBe(0);
  });
});
