// Records to hash fields and back, without a Redis.
import { makeTestRecord } from '@keygate/core/testing';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeChanges, encodeRecord, LISTING_FIELD } from './record-codec.js';

const asPairs = (fields: string[]): Record<string, string> => {
  const map: Record<string, string> = {};
  for (let index = 0; index < fields.length; index += 2) map[fields[index]!] = fields[index + 1]!;
  return map;
};

describe('record codec', () => {
  it('round-trips every field, nulls and nested metadata included', () => {
    const record = makeTestRecord({
      name: 'Ünïcödé – 🔑 "quoted"',
      expiresAt: new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 678)),
      lastUsedAt: new Date(-1),
      metadata: { nested: { list: [1, { deep: null }], empty: [] }, emptyObject: {}, flag: false },
      scopes: [],
    });
    const fields = encodeRecord(record, 'entry');
    expect(decodeRecord(asPairs(fields))).toEqual(record);
    expect(decodeRecord(fields)).toEqual(record);
  });

  it('stores a null as an absent field, and keeps the listing entry out of the record', () => {
    const record = makeTestRecord({ organisationId: null });
    const stored = asPairs(encodeRecord(record, null));
    for (const field of ['organisationId', 'expiresAt', 'lastUsedAt', 'revokedAt', 'replacedById'])
      expect(stored).not.toHaveProperty(field);
    expect(stored).not.toHaveProperty(LISTING_FIELD);
    const listed = encodeRecord(makeTestRecord(), 'entry');
    expect(decodeRecord(listed)).not.toHaveProperty(LISTING_FIELD);
  });

  it('reads an empty hash as no record', () => {
    expect(decodeRecord({})).toBeNull();
    expect(decodeRecord([])).toBeNull();
  });

  it('keeps a metadata key named __proto__ as data', () => {
    const metadata = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const decoded = decodeRecord(encodeRecord(makeTestRecord({ metadata }), null))!;
    expect(Object.keys(decoded.metadata)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('encodes only the changes named, nulls as removals', () => {
    expect(encodeChanges({})).toEqual({ set: [], unset: [] });
    expect(
      encodeChanges({
        name: 'n',
        expiresAt: null,
        revokedAt: new Date(5),
        replacedById: null,
        scopes: ['a'],
        metadata: { b: 1 },
        hash: 'h',
        hashVersion: 'v',
      }),
    ).toEqual({
      set: [
        'name',
        'n',
        'revokedAt',
        '5',
        'scopes',
        '["a"]',
        'metadata',
        '{"b":1}',
        'hash',
        'h',
        'hashVersion',
        'v',
      ],
      unset: ['expiresAt', 'replacedById'],
    });
  });

  it('fails loudly on a hash that some other writer left half filled', () => {
    expect(() => decodeRecord({ id: 'x' })).toThrow(/@keygate\/redis: stored record lacks/);
  });
});
