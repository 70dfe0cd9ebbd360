import { describe, expect, it } from 'vitest';
import { generateApiKey } from './generate.js';
import { createKeyFormat, keyPattern } from './key-format.js';

describe('createKeyFormat', () => {
  it('defaults to sk with live and test', () => {
    const format = createKeyFormat();
    expect(format.type).toBe('sk');
    expect(format.environments).toEqual(['live', 'test']);
    expect(format.prefixes.map((p) => p.prefix)).toEqual(['sk_live_', 'sk_test_']);
    expect(Object.isFrozen(format)).toBe(true);
  });

  it.each([
    [{ type: 's' }, /type/],
    [{ type: 'SK' }, /type/],
    [{ type: 'abcdefghijk' }, /type/],
    [{ type: 'sk_' }, /type/],
    [{ environments: [] }, /environments/],
    [{ environments: ['Live'] }, /environment/],
    [{ environments: ['live', 'live'] }, /repeat/],
    [{ environments: ['li_ve'] }, /environment/],
  ])('refuses %j with a TypeError naming the package', (options, message) => {
    expect(() => createKeyFormat(options as never)).toThrow(TypeError);
    expect(() => createKeyFormat(options as never)).toThrow(message);
    expect(() => createKeyFormat(options as never)).toThrow('@keygate/core');
  });

  it('does not mutate the caller options', () => {
    const options = Object.freeze({ type: 'pk', environments: Object.freeze(['prod', 'dev']) });
    const format = createKeyFormat(options);
    expect(format.prefixes[1]?.prefix).toBe('pk_dev_');
  });
});

describe('keyPattern', () => {
  it('finds keys inside text and nothing that merely looks like one', () => {
    const { key } = generateApiKey();
    expect(keyPattern.test(`export API_KEY="${key}"`)).toBe(true);
    expect(keyPattern.test(`${key}x`)).toBe(false);
    expect(keyPattern.test(key.slice(0, -1))).toBe(false);
    expect(keyPattern.test(key.replace('sk_live_', 'sk_prod_'))).toBe(false);
    const all = `${key} and ${generateApiKey({ environment: 'test' }).key}`.match(
      new RegExp(keyPattern.source, 'g'),
    );
    expect(all).toHaveLength(2);
  });
});
