import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyDigester } from './digest.js';
import { generateApiKey } from './generate.js';

const pepper = { id: 'p1', secret: 'a pepper of enough length!' };

describe('createKeyDigester', () => {
  it('digests with SHA-256 by default, base64url, and uses Node crypto where present', () => {
    const digester = createKeyDigester();
    expect(digester.implementation).toBe('node');
    expect(digester.current.version).toBe('sha256');
    const { key } = generateApiKey();
    expect(digester.current.digest(key)).toBe(createHash('sha256').update(key).digest('base64url'));
  });

  it('digests with HMAC-SHA-256 under the newest pepper', () => {
    const digester = createKeyDigester({
      peppers: [pepper, { id: 'p0', secret: 'an older pepper, long too' }],
    });
    expect(digester.versions.map((v) => v.version)).toEqual(['hmac-sha256:p1', 'hmac-sha256:p0']);
    const { key } = generateApiKey();
    expect(digester.current.digest(key)).toBe(
      createHmac('sha256', pepper.secret).update(key).digest('base64url'),
    );
  });

  it('gives identical digests on the Node path and the @noble/hashes path, on many keys', () => {
    const options = [
      {},
      { peppers: [pepper] },
      { peppers: [{ id: 'bytes', secret: new Uint8Array(64).fill(7) }] },
    ];
    for (const option of options) {
      const node = createKeyDigester(option);
      const noble = createKeyDigester({ ...option, implementation: 'noble' });
      expect(noble.implementation).toBe('noble');
      for (let index = 0; index < 3_000; index++) {
        const { key } = generateApiKey({ environment: index % 2 ? 'live' : 'test' });
        if (node.current.digest(key) !== noble.current.digest(key))
          throw new Error(`digests differ for key ${index}`);
      }
      // non-ASCII input goes through UTF-8 on both paths
      expect(noble.current.digest('clé é 🔑')).toBe(node.current.digest('clé é 🔑'));
    }
  });

  it('keeps accepting unpeppered digests only when asked', () => {
    expect(createKeyDigester({ peppers: [pepper] }).versions).toHaveLength(1);
    expect(
      createKeyDigester({ peppers: [pepper], acceptUnpeppered: true }).versions.map(
        (v) => v.version,
      ),
    ).toEqual(['hmac-sha256:p1', 'sha256']);
  });

  it('refuses short, nameless or repeated peppers at construction', () => {
    expect(() => createKeyDigester({ peppers: [{ id: 'p', secret: 'short' }] })).toThrow(
      RangeError,
    );
    expect(() => createKeyDigester({ peppers: [{ id: 'bad id', secret: pepper.secret }] })).toThrow(
      TypeError,
    );
    expect(() => createKeyDigester({ peppers: [pepper, pepper] })).toThrow(/repeated/);
    expect(() => createKeyDigester({ peppers: [{ id: 'x', secret: 42 as never }] })).toThrow(
      TypeError,
    );
  });
});
