// Conformance tests for the leak fields (`leakedAt`, `leakSource`): what the secret-scanning
// handler writes when a key is reported public must survive every store round trip.
import { expect, it } from 'vitest';
import type { KeyStore } from '../key-store.js';
import type { ApiKeyRecord } from '../record.js';

/** What the leak tests need from the suite: a store and a record factory. */
export interface LeakConformanceContext {
  readonly open: () => Promise<KeyStore>;
  readonly makeRecord: (overrides?: Partial<ApiKeyRecord>) => ApiKeyRecord;
  readonly timeout: number;
}

/** Registers the leak-field tests inside the suite's `describe`. */
export function registerLeakConformance({
  open,
  makeRecord,
  timeout,
}: LeakConformanceContext): void {
  it('keeps leakedAt and leakSource on insert, to the millisecond', { timeout }, async () => {
    const store = await open();
    const record = makeRecord({
      leakedAt: new Date(Date.UTC(2026, 11, 1, 21, 30, 0, 457)),
      leakSource: 'https://github.com/octo/app/blob/0a1b2c/config/prod.env#L3?q=ä&x="y"',
    });
    await store.insert(record);
    expect(await store.findById(record.id)).toEqual(record);
    expect(await store.findByHash(record.hash)).toEqual(record);
  });

  it('records a leak and its revocation in one update, and clears them again', {
    timeout,
  }, async () => {
    const store = await open();
    const record = makeRecord();
    await store.insert(record);
    const leakedAt = new Date(Date.UTC(2026, 11, 1, 22, 0, 0, 1));
    const leaked = {
      ...record,
      leakedAt,
      leakSource: 'https://github.com/octo/app/blob/0a1b2c/.env',
      revokedAt: leakedAt,
    };
    expect(
      await store.update(record.id, {
        leakedAt,
        leakSource: leaked.leakSource,
        revokedAt: leakedAt,
      }),
    ).toEqual(leaked);
    expect(await store.findByHash(record.hash)).toEqual(leaked);
    // An update naming other fields keeps the leak fields.
    expect(await store.update(record.id, { name: 'Still leaked' })).toEqual({
      ...leaked,
      name: 'Still leaked',
    });
    const cleared = { ...leaked, name: 'Still leaked', leakedAt: null, leakSource: null };
    expect(await store.update(record.id, { leakedAt: null, leakSource: null })).toEqual(cleared);
    expect(await store.findById(record.id)).toEqual(cleared);
  });

  it('lists leak fields with the organisation page', { timeout }, async () => {
    const store = await open();
    const record = makeRecord({ leakedAt: new Date(Date.UTC(2026, 0, 1)), leakSource: null });
    await store.insert(record);
    const page = await store.listByOrganisation(record.organisationId!);
    expect(page.records).toEqual([record]);
  });
}
