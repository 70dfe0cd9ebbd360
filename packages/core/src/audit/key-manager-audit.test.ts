// The key manager's audit outlet: onAudit gets the event the sink keeps, once per action; a
// failing sink or hook is logged as an error and never fails the action it records.
import { describe, expect, it } from 'vitest';
import { createKeygate } from '../keygate.js';
import type { KeygateLogger, LogFields } from '../logger.js';
import { MemoryKeyStore } from '../memory-key-store.js';
import type { AuditEvent } from './audit-event.js';
import { MemoryAuditSink } from './memory-audit-sink.js';

function errorLog(): { logger: KeygateLogger; errors: { fields: LogFields; message: string }[] } {
  const errors: { fields: LogFields; message: string }[] = [];
  const ignore = () => {};
  return {
    errors,
    logger: {
      debug: ignore,
      info: ignore,
      warn: ignore,
      error: (fields, message) => void errors.push({ fields, message }),
    },
  };
}

describe('key manager audit events', () => {
  it('hands onAudit the event the sink kept, once per action', async () => {
    const audit = new MemoryAuditSink();
    const hooked: AuditEvent[] = [];
    const keygate = createKeygate({
      store: new MemoryKeyStore(),
      audit,
      onAudit: (event) => void hooked.push(event),
    });
    const { record } = await keygate.keys.create({ organisationId: 'org', name: 'a' });
    await keygate.keys.revoke(record.id, { actor: 'admin:1' });
    await keygate.keys.revoke(record.id, { actor: 'admin:1' }); // already revoked: no change
    expect(await keygate.keys.delete('no-such-key')).toBe(false); // nothing deleted
    const { events } = await audit.list({ organisationId: 'org' });
    expect(hooked.map((event) => event.action)).toEqual(['create', 'revoke']);
    // The same objects' contents (two events of one millisecond list by id, not by call order).
    const byId = (a: AuditEvent, b: AuditEvent) => (a.id < b.id ? -1 : 1);
    expect([...events].sort(byId)).toEqual([...hooked].sort(byId));
    expect(hooked[1]).toMatchObject({ actor: 'admin:1', ip: null });
    await keygate.close();
  });

  it('logs a failing sink or hook and still answers the action', async () => {
    const { logger, errors } = errorLog();
    const keygate = createKeygate({
      store: new MemoryKeyStore(),
      logger,
      audit: {
        record: async () => {
          throw new Error('audit table missing');
        },
        list: async () => ({ events: [], nextCursor: null }),
      },
      onAudit: () => {
        throw new Error('shipper down');
      },
    });
    const created = await keygate.keys.create({ organisationId: 'org', name: 'a' });
    expect(created.record.name).toBe('a');
    expect(errors.map((line) => line.message)).toEqual([
      '@keygate/core: the audit sink failed',
      '@keygate/core: onAudit failed',
    ]);
    expect(errors[0]!.fields).toMatchObject({ action: 'create', keyId: created.record.id });
    expect(JSON.stringify(errors)).not.toContain(created.key.slice(14));
    await keygate.close();
  });

  it('bounds actor and ip to what the SQL columns hold', async () => {
    const audit = new MemoryAuditSink();
    const keygate = createKeygate({ store: new MemoryKeyStore(), audit });
    await keygate.keys.create(
      { organisationId: 'org', name: 'a' },
      { actor: 'x'.repeat(1000), ip: 'y'.repeat(100) },
    );
    const [event] = (await audit.list({ organisationId: 'org' })).events;
    expect(event!.actor).toHaveLength(255);
    expect(event!.ip).toHaveLength(64);
    await keygate.close();
  });
});
