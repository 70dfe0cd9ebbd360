// The KeyStore conformance suite (docs/design.md, "Stores"). Every store package runs it against a
// real server; it is the definition of "a KeyStore" that the verifier and manager rely on.
import { describe, expect, it } from 'vitest';
import type { InvalidationEvent, KeyStore } from '../key-store.js';
import { runCreditConformance } from './credits-conformance.js';
import { registerLeakConformance } from './leak-conformance.js';
import { runLifecycleConformance } from './lifecycle-conformance.js';
import { makeTestRecord, waitFor } from './test-record.js';

/** How the suite reaches the store under test. */
export interface ConformanceOptions {
  /** Shown in the test names, e.g. `RedisKeyStore (cluster)`. */
  readonly name: string;
  /** A store on the backend under test. Called once for each test; data may be shared. */
  readonly createStore: () => Promise<KeyStore> | KeyStore;
  /**
   * A second store instance on the same data (another server instance). Default: `createStore`.
   * Invalidation events written through one must reach the other's subscribers.
   */
  readonly createPeer?: (store: KeyStore) => Promise<KeyStore> | KeyStore;
  /** Store methods may run this long before the suite fails a test (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Registers the conformance tests (with vitest's `describe`/`it`) for one store.
 *
 * @example
 * ```ts
 * import { runKeyStoreConformance } from '@keygate/core/testing';
 * runKeyStoreConformance({ name: 'MemoryKeyStore', createStore: () => new MemoryKeyStore() });
 * ```
 */
export function runKeyStoreConformance(options: ConformanceOptions): void {
  const timeout = options.timeoutMs ?? 10_000;
  const open = async (): Promise<KeyStore> => options.createStore();
  const peerOf = async (store: KeyStore): Promise<KeyStore> =>
    options.createPeer ? options.createPeer(store) : options.createStore();

  describe(`KeyStore conformance: ${options.name}`, () => {
    it('inserts a record and finds it by hash and by id, every field intact', {
      timeout,
    }, async () => {
      const store = await open();
      const record = makeTestRecord({
        expiresAt: new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 678)),
        scopes: ['a', 'b:c'],
        metadata: { plan: 'pro', limits: { rps: 10 }, tags: ['x', 'y'], flag: false, none: null },
      });
      await store.insert(record);
      expect(await store.findByHash(record.hash)).toEqual(record);
      expect(await store.findById(record.id)).toEqual(record);
    });

    it('keeps a record without organisation, expiry or scopes', { timeout }, async () => {
      const store = await open();
      const record = makeTestRecord({ organisationId: null, scopes: [], metadata: {} });
      await store.insert(record);
      expect(await store.findById(record.id)).toEqual(record);
    });

    it('answers null for an unknown hash or id', { timeout }, async () => {
      const store = await open();
      expect(await store.findByHash(`missing_${crypto.randomUUID()}`)).toBeNull();
      expect(await store.findById(crypto.randomUUID())).toBeNull();
    });

    it('refuses a second record with the same id or hash, and keeps the first', {
      timeout,
    }, async () => {
      const store = await open();
      const record = makeTestRecord();
      await store.insert(record);
      await expect(store.insert(makeTestRecord({ id: record.id }))).rejects.toMatchObject({
        code: 'duplicate_api_key',
      });
      await expect(store.insert(makeTestRecord({ hash: record.hash }))).rejects.toMatchObject({
        code: 'duplicate_api_key',
      });
      expect(await store.findById(record.id)).toEqual(record);
      expect(await store.findByHash(record.hash)).toEqual(record);
    });

    it('hands out copies: changing a returned record changes nothing stored', {
      timeout,
    }, async () => {
      const store = await open();
      const record = makeTestRecord();
      await store.insert(record);
      const found = (await store.findById(record.id)) as unknown as {
        scopes: string[];
        metadata: { team: string };
      };
      found.scopes.push('admin');
      found.metadata.team = 'changed';
      expect(await store.findById(record.id)).toEqual(record);
    });

    it('lists an organisation newest first, in pages that cover every record once', {
      timeout,
    }, async () => {
      const store = await open();
      const organisationId = `org_${crypto.randomUUID()}`;
      const base = Date.UTC(2026, 0, 1);
      const records = Array.from({ length: 7 }, (_, index) =>
        makeTestRecord({ organisationId, createdAt: new Date(base + (index % 4) * 60_000) }),
      );
      for (const record of records) await store.insert(record);
      await store.insert(makeTestRecord()); // another organisation's key
      await store.insert(makeTestRecord({ organisationId: null }));

      const expected = [...records].sort(
        (a, b) =>
          b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      );
      const whole = await store.listByOrganisation(organisationId);
      expect(whole.records.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      expect(whole.nextCursor).toBeNull();
      expect(whole.records[0]).toEqual(expected[0]);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<KeyStore['listByOrganisation']>> =
          await store.listByOrganisation(
            organisationId,
            cursor === null ? { limit: 3 } : { limit: 3, cursor },
          );
        expect(page.records.length).toBeLessThanOrEqual(3);
        seen.push(...page.records.map((r) => r.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual(expected.map((r) => r.id));
      expect(pages).toBe(3);
    });

    it('lists nothing for an organisation without keys', { timeout }, async () => {
      const store = await open();
      const page = await store.listByOrganisation(`org_${crypto.randomUUID()}`);
      expect(page).toEqual({ records: [], nextCursor: null });
    });

    it('rejects a page size outside 1..1000 with a RangeError', { timeout }, async () => {
      const store = await open();
      for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
        await expect(store.listByOrganisation('org', { limit })).rejects.toBeInstanceOf(RangeError);
      }
    });

    it('updates fields one write at a time and returns the new record', { timeout }, async () => {
      const store = await open();
      const record = makeTestRecord({ expiresAt: new Date(Date.UTC(2030, 5, 1)) });
      await store.insert(record);
      const revokedAt = new Date(Date.UTC(2026, 10, 29, 12, 0, 0, 123));
      const updated = await store.update(record.id, {
        name: 'Renamed',
        revokedAt,
        expiresAt: null,
        scopes: ['only'],
        metadata: { rotated: true },
        replacedById: 'successor-id',
      });
      const expected = {
        ...record,
        name: 'Renamed',
        revokedAt,
        expiresAt: null,
        scopes: ['only'],
        metadata: { rotated: true },
        replacedById: 'successor-id',
      };
      expect(updated).toEqual(expected);
      expect(await store.findById(record.id)).toEqual(expected);
      expect(await store.findByHash(record.hash)).toEqual(expected);
    });

    it('leaves out fields that an update does not name', { timeout }, async () => {
      const store = await open();
      const record = makeTestRecord({ expiresAt: new Date(Date.UTC(2030, 5, 1)) });
      await store.insert(record);
      expect(await store.update(record.id, { name: 'Only the name' })).toEqual({
        ...record,
        name: 'Only the name',
      });
    });

    it('answers null when updating an unknown id, and creates nothing', { timeout }, async () => {
      const store = await open();
      const id = crypto.randomUUID();
      expect(await store.update(id, { name: 'ghost' })).toBeNull();
      expect(await store.findById(id)).toBeNull();
    });

    it('re-hashes a record: the new digest finds it, the old one no longer does', {
      timeout,
    }, async () => {
      const store = await open();
      const record = makeTestRecord();
      await store.insert(record);
      const hash = `rehash_${crypto.randomUUID()}`;
      const updated = await store.update(record.id, { hash, hashVersion: 'hmac-sha256:p1' });
      expect(updated).toEqual({ ...record, hash, hashVersion: 'hmac-sha256:p1' });
      expect(await store.findByHash(hash)).toEqual(updated);
      expect(await store.findByHash(record.hash)).toBeNull();
    });

    it('refuses a re-hash onto a digest another record has, changing neither', {
      timeout,
    }, async () => {
      const store = await open();
      const first = makeTestRecord();
      const second = makeTestRecord();
      await store.insert(first);
      await store.insert(second);
      await expect(store.update(first.id, { hash: second.hash })).rejects.toMatchObject({
        code: 'duplicate_api_key',
      });
      expect(await store.findByHash(first.hash)).toEqual(first);
      expect(await store.findByHash(second.hash)).toEqual(second);
    });

    it('deletes a record with its digest index and listing entry', { timeout }, async () => {
      const store = await open();
      const record = makeTestRecord();
      const sibling = makeTestRecord({ organisationId: record.organisationId });
      await store.insert(record);
      await store.insert(sibling);
      expect(await store.delete(record.id)).toBe(true);
      expect(await store.findById(record.id)).toBeNull();
      expect(await store.findByHash(record.hash)).toBeNull();
      const page = await store.listByOrganisation(record.organisationId!);
      expect(page.records.map((r) => r.id)).toEqual([sibling.id]);
      expect(await store.delete(record.id)).toBe(false);
      // the digest is free again
      await store.insert(makeTestRecord({ hash: record.hash }));
    });

    it('records last-used times in a batch, never moving one backwards', { timeout }, async () => {
      const store = await open();
      const first = makeTestRecord();
      const second = makeTestRecord();
      await store.insert(first);
      await store.insert(second);
      const later = new Date(Date.UTC(2026, 10, 29, 10, 0, 0, 500));
      const earlier = new Date(Date.UTC(2026, 10, 29, 9, 0, 0, 0));
      await store.recordLastUsed([
        { id: first.id, lastUsedAt: later },
        { id: second.id, lastUsedAt: earlier },
      ]);
      await store.recordLastUsed([{ id: first.id, lastUsedAt: earlier }]);
      expect((await store.findById(first.id))?.lastUsedAt).toEqual(later);
      expect((await store.findById(second.id))?.lastUsedAt).toEqual(earlier);
      await store.recordLastUsed([{ id: second.id, lastUsedAt: later }]);
      expect((await store.findById(second.id))?.lastUsedAt).toEqual(later);
    });

    it('skips last-used times for ids that do not exist, creating nothing', {
      timeout,
    }, async () => {
      const store = await open();
      const id = crypto.randomUUID();
      await store.recordLastUsed([{ id, lastUsedAt: new Date() }]);
      await store.recordLastUsed([]);
      expect(await store.findById(id)).toBeNull();
    });

    it('keeps last-used separate from other fields: an update does not reset it', {
      timeout,
    }, async () => {
      const store = await open();
      const record = makeTestRecord();
      await store.insert(record);
      const lastUsedAt = new Date(Date.UTC(2026, 10, 29, 8, 0, 0, 250));
      await store.recordLastUsed([{ id: record.id, lastUsedAt }]);
      const updated = await store.update(record.id, { name: 'after use' });
      expect(updated?.lastUsedAt).toEqual(lastUsedAt);
    });

    it('publishes update and delete events with the digest the record had', {
      timeout,
    }, async () => {
      const store = await open();
      const peer = await peerOf(store);
      if (typeof peer.subscribe !== 'function') {
        expect(store.subscribe).toBeUndefined();
        return;
      }
      const events: InvalidationEvent[] = [];
      const unsubscribe = await peer.subscribe((event) => events.push(event));
      try {
        const record = makeTestRecord();
        await store.insert(record);
        const newHash = `rotated_${crypto.randomUUID()}`;
        await store.update(record.id, { revokedAt: new Date() });
        await store.update(record.id, { hash: newHash, hashVersion: 'hmac-sha256:p2' });
        await store.delete(record.id);
        await waitFor(() => events.filter((e) => e.id === record.id).length >= 3, timeout / 2);
        const mine = events.filter((e) => e.id === record.id);
        expect(mine).toEqual([
          { id: record.id, hash: record.hash },
          { id: record.id, hash: record.hash },
          { id: record.id, hash: newHash },
        ]);
      } finally {
        await unsubscribe();
      }
      const after = events.length;
      const other = makeTestRecord();
      await store.insert(other);
      await store.delete(other.id);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(events.length).toBe(after);
    });

    it('stays consistent under concurrent inserts, updates and last-used writes', {
      timeout,
    }, async () => {
      const store = await open();
      const peer = await peerOf(store);
      const organisationId = `org_${crypto.randomUUID()}`;
      const records = Array.from({ length: 60 }, () => makeTestRecord({ organisationId }));
      await Promise.all(records.map((record, index) => (index % 2 ? store : peer).insert(record)));
      const times = Array.from(
        { length: 20 },
        (_, index) => new Date(Date.UTC(2026, 10, 1, 0, index)),
      );
      await Promise.all([
        ...times.map((time, index) =>
          (index % 2 ? store : peer).recordLastUsed([{ id: records[0]!.id, lastUsedAt: time }]),
        ),
        ...records
          .slice(1, 30)
          .map((record) => store.update(record.id, { name: `renamed ${record.id}` })),
        ...records.slice(30, 45).map((record) => peer.delete(record.id)),
      ]);
      expect((await store.findById(records[0]!.id))?.lastUsedAt).toEqual(times[times.length - 1]);
      const listed = await store.listByOrganisation(organisationId, { limit: 1000 });
      expect(listed.records).toHaveLength(45);
      for (const record of records.slice(1, 30)) {
        expect((await peer.findByHash(record.hash))?.name).toBe(`renamed ${record.id}`);
      }
      for (const record of records.slice(30, 45))
        expect(await store.findByHash(record.hash)).toBeNull();
      // a concurrent duplicate insert lets exactly one through
      const contested = makeTestRecord();
      const outcomes = await Promise.allSettled([
        store.insert(contested),
        peer.insert({ ...makeTestRecord(), hash: contested.hash }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    });

    runLifecycleConformance({ open, peerOf, timeout });
    runCreditConformance({ open, peerOf, timeout });
    registerLeakConformance({ open, makeRecord: makeTestRecord, timeout });

    it('closes without error', { timeout }, async () => {
      const store = await open();
      await store.close();
    });
  });
}
