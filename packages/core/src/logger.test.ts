// The logger option: keygate's warnings go through the application's logger, at the levels said,
// and no line (message or fields) ever holds a key.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adoptHostLogger } from './adapter/host-logger.js';
import type { KeyStore } from './key-store.js';
import { createKeygate } from './keygate.js';
import { checkLogger, createConsoleLogger, type KeygateLogger, type LogFields } from './logger.js';
import { createManagementHandler } from './management/handler.js';
import { MemoryKeyStore } from './memory-key-store.js';

interface Line {
  readonly level: string;
  readonly fields: LogFields;
  readonly message: string;
}

function recordingLogger(): { logger: KeygateLogger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (fields: LogFields, message: string) =>
    void lines.push({ level, fields, message });
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

// A store that fails every read and write, naming what it was given (as a driver error might).
function failingStore(): KeyStore {
  const memory = new MemoryKeyStore();
  return {
    insert: (record) => memory.insert(record),
    findById: (id) => memory.findById(id),
    listByOrganisation: (id, options) => memory.listByOrganisation(id, options),
    update: (id, changes, condition) => memory.update(id, changes, condition),
    delete: (id) => memory.delete(id),
    consumeCredits: (id, cost, now) => memory.consumeCredits(id, cost, now),
    close: () => memory.close(),
    findByHash: async (hash) => {
      throw new Error(`connection reset while reading ${hash}`);
    },
    recordLastUsed: async () => {
      throw new Error('connection reset');
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createConsoleLogger', () => {
  it('prints warnings and errors only by default, with the fields as JSON', () => {
    const printed: string[] = [];
    for (const method of ['debug', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((text: string) => void printed.push(text));
    }
    const logger = createConsoleLogger();
    logger.debug({}, 'd');
    logger.info({}, 'i');
    logger.warn({ operation: 'lookup' }, 'w');
    logger.error({}, 'e');
    expect(printed).toEqual(['w {"operation":"lookup"}', 'e']);
  });

  it('prints from the level given, and nothing when silent', () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    createConsoleLogger({ level: 'debug' }).debug({}, 'seen');
    createConsoleLogger({ level: 'silent' }).debug({}, 'unseen');
    expect(debug).toHaveBeenCalledOnce();
    expect(() => createConsoleLogger({ level: 'loud' as never })).toThrow(TypeError);
  });

  it('checkLogger refuses an object without the four methods, naming the package', () => {
    expect(() => checkLogger({ warn() {} }, '@keygate/x')).toThrow(/^@keygate\/x: logger/);
    expect(checkLogger(undefined, '@keygate/x')).toBeUndefined();
  });
});

describe('the verifier logs through its logger', () => {
  it('warns (throttled) through the given logger when the store fails, never with the key', async () => {
    const { logger, lines } = recordingLogger();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const keygate = createKeygate({ store: failingStore(), logger, lastUsed: false });
    const { key } = await keygate.keys.create({ organisationId: 'org', name: 'a' });
    expect((await keygate.verifier.verify(key)).ok).toBe(false);
    expect((await keygate.verifier.verify(key)).ok).toBe(false);
    await keygate.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', fields: { operation: 'lookup' } });
    expect(lines[0]!.message).toMatch(/^@keygate\/core: lookup failed: connection reset/);
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(key.slice(14));
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps a given logger when a host offers its own, and adopts the host’s otherwise', async () => {
    const given = recordingLogger();
    const host = recordingLogger();
    const withLogger = createKeygate({ store: failingStore(), logger: given.logger });
    expect(adoptHostLogger(withLogger.verifier, host.logger)).toBe(false);
    const without = createKeygate({ store: failingStore(), lastUsed: false });
    expect(adoptHostLogger(without.verifier, host.logger)).toBe(true);
    const { key } = await without.keys.create({ organisationId: 'org', name: 'a' });
    await without.verifier.verify(key);
    expect(host.lines.map((line) => line.fields.operation)).toEqual(['lookup']);
    expect(JSON.stringify(host.lines)).not.toContain(key);
    await withLogger.close();
    await without.close();
  });

  it('the management handler logs a store failure as an error through its logger', async () => {
    const { logger, lines } = recordingLogger();
    const keygate = createKeygate({ store: new MemoryKeyStore() });
    const broken = Object.assign(Object.create(keygate.keys), {
      list: async () => {
        throw new Error('store down');
      },
    });
    const handle = createManagementHandler({ keys: broken, logger });
    const response = await handle(new Request('http://x/keys'), { organisationId: 'org' });
    expect(response.status).toBe(503);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ error: 'store down' }),
      }),
    ]);
  });
});
