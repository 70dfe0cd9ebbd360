// What the key manager refuses in a name, and how it counts a name's length.
import { describe, expect, it } from 'vitest';
import { createKeyManager } from './key-manager.js';
import { MAX_NAME_LENGTH } from './key-manager-input.js';
import { MemoryKeyStore } from './memory-key-store.js';

const keys = () => createKeyManager({ store: new MemoryKeyStore() });

describe('key names', () => {
  it.each([
    ['an ESC sequence', 'prod\u001b[2J\u001b[31mkey'],
    ['a BEL', 'ring\u0007'],
    ['a newline that forges a table row', 'a\nkey_123  sk_live_abc…  admin'],
    ['a carriage return', 'a\rb'],
    ['a tab', 'a\tb'],
    ['DEL', 'a\u007fb'],
    ['a C1 CSI', 'a\u009b2Jb'],
    ['a line separator', 'a\u2028b'],
    ['a right-to-left override', 'invoice\u202egpj.exe'],
  ])('refuses %s at creation with a typed error', async (_what, name) => {
    const manager = keys();
    const attempt = manager.create({ organisationId: 'org', name });
    attempt.catch(() => {});
    await expect(attempt).rejects.toMatchObject({
      code: 'invalid_key_input',
      field: 'name',
      message: expect.stringMatching(/control characters/),
    });
    await expect(attempt).rejects.toMatchObject({ status: 400 });
    expect((await manager.list('org')).keys).toHaveLength(0);
  });

  it('refuses control characters when renaming too', async () => {
    const manager = keys();
    const { record } = await manager.create({ organisationId: 'org', name: 'fine' });
    await expect(
      Promise.resolve().then(() => manager.rename(record.id, 'not\u001bfine')),
    ).rejects.toMatchObject({
      code: 'invalid_key_input',
    });
  });

  it('counts characters, not UTF-16 units', async () => {
    const manager = keys();
    const emoji = '🔑'.repeat(MAX_NAME_LENGTH); // 400 UTF-16 units, 200 characters
    const { record } = await manager.create({ organisationId: 'org', name: emoji });
    expect(record.name).toBe(emoji);
    await expect(
      manager.create({ organisationId: 'org', name: `${emoji}🔑` }),
    ).rejects.toMatchObject({ code: 'invalid_key_input', field: 'name' });
  });

  it('keeps letters of every script, emoji and joiners', async () => {
    const manager = keys();
    for (const name of ['Produktion – Zähler', 'Производство', '生产密钥', 'team 👩‍💻 key']) {
      expect((await manager.create({ organisationId: 'org', name })).record.name).toBe(name);
    }
  });
});
