import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from './generate.js';
import { createKeyFormat } from './key-format.js';

describe('generateApiKey', () => {
  it('makes a 56-character sk_live_ key whose last 4 bytes are the CRC-32 of prefix and random bytes', () => {
    const { key, prefix, environment } = generateApiKey();
    expect(key).toMatch(/^sk_live_[A-Za-z0-9_-]{48}$/);
    expect(key).toHaveLength(56);
    expect(prefix).toBe(key.slice(0, 14));
    expect(environment).toBe('live');
    const body = Buffer.from(key.slice(8), 'base64url');
    expect(body).toHaveLength(36);
    const random = body.subarray(0, 32);
    const expected = zlibCrc32(Buffer.concat([Buffer.from('sk_live_'), random]));
    expect(body.readUInt32BE(32)).toBe(expected);
  });

  it('draws fresh randomness every time', () => {
    const keys = new Set(Array.from({ length: 10_000 }, () => generateApiKey().key));
    expect(keys.size).toBe(10_000);
  });

  it('uses the environment and format asked for', () => {
    const format = createKeyFormat({ type: 'pk', environments: ['prod', 'dev'] });
    expect(generateApiKey({ environment: 'dev', format }).key).toMatch(
      /^pk_dev_[A-Za-z0-9_-]{48}$/,
    );
    expect(() => generateApiKey({ environment: 'staging' })).toThrow(TypeError);
  });
});
