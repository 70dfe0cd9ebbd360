import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from './generate.js';
import { createKeyFormat } from './key-format.js';
import { parseApiKey } from './parse.js';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('parseApiKey', () => {
  it('parses a generated key back to its environment and display prefix', () => {
    const { key } = generateApiKey({ environment: 'test' });
    expect(parseApiKey(key)).toEqual({
      ok: true,
      key,
      environment: 'test',
      prefix: key.slice(0, 14),
    });
  });

  it.each([
    [undefined, 'missing'],
    [null, 'missing'],
    ['', 'missing'],
    [42, 'not_a_string'],
    [['sk_live_'], 'not_a_string'],
    ['x'.repeat(257), 'too_long'],
    ['pk_live_AAAA', 'wrong_prefix'],
    ['Bearer sk_live_AAAA', 'wrong_prefix'],
    ['sk_staging_AAAA', 'unknown_environment'],
    ['sk_live_AAAA', 'bad_length'],
    [`sk_live_${'A'.repeat(47)}!`, 'bad_alphabet'],
    [`sk_live_${'A'.repeat(47)}=`, 'bad_alphabet'],
    [`sk_live_${'A'.repeat(48)}`, 'bad_checksum'],
  ])('refuses %j as %s', (input, reason) => {
    expect(parseApiKey(input)).toEqual({ ok: false, reason });
  });

  it('parses by position: a body full of _ and - is still one key', () => {
    for (let attempt = 0; attempt < 2000; attempt++) {
      const { key } = generateApiKey();
      if (key.slice(8).includes('_') && key.slice(8).includes('-')) {
        expect(parseApiKey(key).ok).toBe(true);
        return;
      }
    }
    throw new Error('no key with both _ and - in 2,000 tries');
  });

  it('parses 100,000 generated keys back, in every environment of a custom format', () => {
    const format = createKeyFormat({ type: 'pk', environments: ['prod', 'dev', 'ci'] });
    for (let index = 0; index < 100_000; index++) {
      const environment = format.environments[index % 3]!;
      const { key } = generateApiKey({ environment, format });
      const parsed = parseApiKey(key, format);
      if (!parsed.ok || parsed.environment !== environment)
        throw new Error(`key ${index} did not parse`);
    }
  });

  it('refuses every single-character change of a valid key', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...`${BASE64URL}_.!é\u0000 `),
        (seed, position, replacement) => {
          const { key } = generateApiKey({ environment: seed % 2 ? 'live' : 'test' });
          const index = position % key.length;
          fc.pre(key[index] !== replacement);
          const changed = key.slice(0, index) + replacement + key.slice(index + 1);
          expect(parseApiKey(changed).ok).toBe(false);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('refuses every deletion and every insertion of one character', () => {
    const { key } = generateApiKey();
    for (let index = 0; index < key.length; index++) {
      expect(parseApiKey(key.slice(0, index) + key.slice(index + 1)).ok).toBe(false);
      expect(parseApiKey(`${key.slice(0, index)}A${key.slice(index)}`).ok).toBe(false);
    }
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.string({ unit: 'binary' }), fc.uint8Array()),
        (input) => {
          const result = parseApiKey(input);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
