// Conformance for the audit log and usage counts (docs/observability.md): every AuditSink lists
// what it recorded, newest first, by organisation, key, time and page; every KeyStore with usage
// adds counts from many instances; and through the key manager and verifiers on the store, every
// management action is exactly one event and N verifications are N after a flush.
import { describe, expect, it } from 'vitest';
import type { AuditAction, AuditEvent, AuditSink } from '../audit/audit-event.js';
import type { KeyStore } from '../key-store.js';
import { createKeygate } from '../keygate.js';
import { createLeakResponder } from '../secret-scanning/leak-responder.js';
import { usageDayOf } from '../usage/usage-entry.js';
import { makeTestRecord } from './test-record.js';

/** How the suite reaches the store and audit sink under test. */
export interface AuditUsageConformanceOptions {
  /** Shown in the test names. */
  readonly name: string;
  /** A store on the backend under test (called once per test; data may be shared). */
  readonly createStore: () => Promise<KeyStore> | KeyStore;
  /** A second store instance on the same data (another server). Default: `createStore`. */
  readonly createPeer?: (store: KeyStore) => Promise<KeyStore> | KeyStore;
  /** An audit sink on the backend under test. */
  readonly createAuditSink: () => Promise<AuditSink> | AuditSink;
  /** Store calls may take this long before a test fails (default 10 s). */
  readonly timeoutMs?: number;
}

let sequence = 0;
function unique(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${(sequence++).toString(36)}${crypto.randomUUID().slice(0, 6)}`;
}

function event(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: crypto.randomUUID(),
    action: 'create',
    keyId: crypto.randomUUID(),
    keyPrefix: 'sk_live_AbCdEf',
    organisationId: 'org',
    actor: 'admin:tok_1',
    ip: '203.0.113.7',
    at: new Date(Date.UTC(2026, 11, 1, 12, 0, 0, 123)),
    ...overrides,
  };
}

/**
 * Registers the audit and usage tests (vitest `describe`/`it`) for one store and audit sink.
 *
 * @example
 * ```ts
 * runAuditUsageConformance({
 *   name: 'memory',
 *   createStore: () => new MemoryKeyStore(),
 *   createAuditSink: () => new MemoryAuditSink(),
 * });
 * ```
 */
export function runAuditUsageConformance(options: AuditUsageConformanceOptions): void {
  const timeout = options.timeoutMs ?? 10_000;
  const open = async () => options.createStore();
  const peerOf = async (store: KeyStore) =>
    options.createPeer ? options.createPeer(store) : options.createStore();
  const sink = async () => options.createAuditSink();

  describe(`Audit and usage conformance: ${options.name}`, () => {
    it('lists an organisation’s events newest first, every field intact', { timeout }, async () => {
      const audit = await sink();
      const organisationId = unique('org');
      const older = event({ organisationId, at: new Date(Date.UTC(2026, 10, 30, 8, 0, 0, 1)) });
      const newer = event({
        organisationId,
        action: 'revoke',
        actor: null,
        ip: null,
        at: new Date(Date.UTC(2026, 11, 1, 9, 30, 0, 999)),
      });
      const elsewhere = event({ organisationId: unique('org') });
      await audit.record(older);
      await audit.record(elsewhere);
      await audit.record(newer);
      const page = await audit.list({ organisationId });
      expect(page).toEqual({ events: [newer, older], nextCursor: null });
    });

    it('filters by key and by time, and pages with a cursor', { timeout }, async () => {
      const audit = await sink();
      const organisationId = unique('org');
      const keyId = crypto.randomUUID();
      const at = Date.UTC(2026, 11, 1, 10, 0, 0, 0);
      // Recorded as they happen: in time order.
      const early = event({ organisationId, keyId, at: new Date(at - 60_000) });
      const recent = [0, 1, 2, 3].map((i) =>
        event({ organisationId, keyId, at: new Date(at + i) }),
      );
      const other = event({ organisationId, at: new Date(at + 10) });
      for (const each of [early, ...recent, other]) await audit.record(each);

      const ofKey = await audit.list({ organisationId, keyId });
      expect(ofKey.events.map((each) => each.id)).toEqual(
        [early, ...recent].reverse().map((each) => each.id),
      );
      const since = await audit.list({ organisationId, keyId, since: new Date(at) });
      expect(since.events.map((each) => each.id)).toEqual(
        [...recent].reverse().map((each) => each.id),
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await audit.list({
          organisationId,
          limit: 2,
          ...(cursor === undefined ? {} : { cursor }),
        });
        expect(page.events.length).toBeLessThanOrEqual(2);
        seen.push(...page.events.map((each) => each.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(seen).toEqual([other.id, ...ofKey.events.map((each) => each.id)]);
      const firstOfKey = await audit.list({ organisationId, keyId, limit: 3 });
      expect(firstOfKey.events).toHaveLength(3);
      const restOfKey = await audit.list({
        organisationId,
        keyId,
        limit: 3,
        cursor: firstOfKey.nextCursor!,
      });
      expect([...firstOfKey.events, ...restOfKey.events].map((each) => each.id)).toEqual(
        ofKey.events.map((each) => each.id),
      );
      expect(restOfKey.nextCursor).toBeNull();
    });

    it('adds usage counts per key and day, batch after batch', { timeout }, async () => {
      const store = await open();
      if (store.recordUsage === undefined || store.readUsage === undefined) {
        throw new Error('the store keeps no usage (recordUsage/readUsage)');
      }
      const peer = await peerOf(store);
      const keyId = crypto.randomUUID();
      const otherKey = crypto.randomUUID();
      await store.recordUsage([
        { keyId, date: '2026-11-30', accepted: 3, refused: 1 },
        { keyId, date: '2026-12-01', accepted: 2, refused: 0 },
        { keyId: otherKey, date: '2026-12-01', accepted: 7, refused: 7 },
      ]);
      await peer.recordUsage!([
        { keyId, date: '2026-12-01', accepted: 5, refused: 4 },
        { keyId, date: '2026-12-03', accepted: 1, refused: 0 },
      ]);
      const read = await store.readUsage(keyId, '2026-11-30', '2026-12-02');
      expect([...read].sort((a, b) => (a.date < b.date ? -1 : 1))).toEqual([
        { keyId, date: '2026-11-30', accepted: 3, refused: 1 },
        { keyId, date: '2026-12-01', accepted: 7, refused: 4 },
      ]);
      expect(await store.readUsage(crypto.randomUUID(), '2026-11-01', '2026-12-31')).toEqual([]);
    });

    it('records every management action as exactly one event, without key material', {
      timeout,
    }, async () => {
      const store = await open();
      const audit = await sink();
      const keygate = createKeygate({ store, audit, lastUsed: false, usage: false });
      const organisationId = unique('org');
      const who = { organisationId, actor: 'admin:tok_9', ip: '198.51.100.4' };
      const created = await keygate.keys.create({ organisationId, name: 'Audited' }, who);
      const id = created.record.id;
      await keygate.keys.update(id, { name: 'Renamed' }, who);
      await keygate.keys.update(id, { enabled: false }, who);
      await keygate.keys.update(id, { enabled: true }, who);
      const rotated = await keygate.keys.rotate(id, { ...who, gracePeriodMs: 60_000 });
      await keygate.keys.revoke(rotated.record.id, who);
      await keygate.keys.delete(id, who);
      const leaks = createLeakResponder({ verifier: keygate.verifier, audit });
      const leaked = await keygate.keys.create({ organisationId, name: 'Leaked' });
      await leaks.report(leaked.key, { source: null, reporter: 'github' });
      await keygate.close();

      const { events } = await audit.list({ organisationId });
      const expected: [AuditAction, string, string | null][] = [
        ['create', id, 'admin:tok_9'],
        ['update', id, 'admin:tok_9'],
        ['disable', id, 'admin:tok_9'],
        ['enable', id, 'admin:tok_9'],
        ['rotate', id, 'admin:tok_9'],
        ['revoke', rotated.record.id, 'admin:tok_9'],
        ['delete', id, 'admin:tok_9'],
        ['create', leaked.record.id, null],
        ['leak', leaked.record.id, 'github'],
      ];
      // Newest first; events of one millisecond may tie, so compare as a multiset by order of
      // the calls, which is the order of `at` for events that do not tie.
      const actual = [...events]
        .reverse()
        .map((each): [AuditAction, string, string | null] => [each.action, each.keyId, each.actor]);
      expect(actual.sort()).toEqual([...expected].sort());
      for (const each of events) {
        expect(each.organisationId).toBe(organisationId);
        expect(each.keyPrefix).toBe(
          each.keyId === id
            ? created.record.prefix
            : each.keyId === leaked.record.id
              ? leaked.record.prefix
              : rotated.record.prefix,
        );
        expect(each.ip).toBe(each.actor === 'admin:tok_9' ? '198.51.100.4' : null);
        expect(each.at).toBeInstanceOf(Date);
      }
      const text = JSON.stringify(events);
      for (const key of [created.key, rotated.key, leaked.key]) {
        expect(text).not.toContain(key);
        expect(text).not.toContain(key.slice(14, 30));
      }
    });

    it('counts N verifications on two instances as N for the day after a flush', {
      timeout,
    }, async () => {
      const store = await open();
      const peer = await peerOf(store);
      const first = createKeygate({ store, lastUsed: false, usage: { flushIntervalMs: 60_000 } });
      const second = createKeygate({ store: peer, lastUsed: false });
      const { key, record } = await first.keys.create({
        organisationId: unique('org'),
        name: 'Counted',
        scopes: ['sites:read'],
      });
      const day = usageDayOf(Date.now());
      let accepted = 0;
      let refused = 0;
      // Cache misses and hits on both instances, accepted and refused (a scope the key lacks).
      for (let round = 0; round < 7; round++) {
        for (const verifier of [first.verifier, second.verifier]) {
          expect((await verifier.verify(key)).ok).toBe(true);
          accepted++;
        }
      }
      for (let round = 0; round < 3; round++) {
        const result = await second.verifier.verify(key, { requiredScopes: ['sites:write'] });
        expect(result.ok).toBe(false);
        refused++;
      }
      await first.verifier.flushUsage();
      await second.verifier.flushUsage();
      const usage = await first.keys.usage(record.id, { days: 2 });
      // The day may have turned during the test: count both days.
      const total = usage.days.reduce(
        (sum, each) => ({
          accepted: sum.accepted + each.accepted,
          refused: sum.refused + each.refused,
        }),
        { accepted: 0, refused: 0 },
      );
      expect(total).toEqual({ accepted, refused });
      expect(usage.days.map((each) => each.date)).toContain(day);
      await first.close();
      await second.close();
    });

    it('keeps a test record’s usage apart from another key’s', { timeout }, async () => {
      const store = await open();
      const record = makeTestRecord();
      await store.insert(record);
      await store.recordUsage!([{ keyId: record.id, date: '2026-12-01', accepted: 1, refused: 0 }]);
      expect(await store.readUsage!(record.id, '2026-12-01', '2026-12-01')).toEqual([
        { keyId: record.id, date: '2026-12-01', accepted: 1, refused: 0 },
      ]);
    });
  });
}
