// RedisAuditSink: the audit log in Redis, one capped stream per organisation (XADD MAXLEN ~),
// under the namespace's hash tag (docs/observability.md, "Audit log").
import {
  type AuditEvent,
  type AuditPage,
  type AuditQuery,
  type AuditSink,
  checkAuditQuery,
  isAuditAction,
} from '@keygate/core';
import { pageSize } from '@keygate/core/store';
import type { RedisCommandClient } from './client.js';
import { DEFAULT_NAMESPACE, KeyLayout } from './key-layout.js';
import { appendAuditScript } from './observability-scripts.js';
import { clientKeyPrefix } from './options.js';
import { LuaScript } from './scripts.js';

const PACKAGE = '@keygate/redis';
const NAMESPACE_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

// KEYS: the stream. ARGV: upper bound (`+` or `(<id>`), lower bound (`-` or `<ms>`), count.
const readAuditScript = new LuaScript(`
return redis.call('XREVRANGE', KEYS[1], ARGV[1], ARGV[2], 'COUNT', ARGV[3])
`);

/** Options of {@link RedisAuditSink}. */
export interface RedisAuditSinkOptions {
  /** An ioredis `Redis` or `Cluster` instance (the store's client will do). */
  readonly client: RedisCommandClient;
  /** The namespace (hash tag), the store's: default `keygate`. */
  readonly namespace?: string;
  /** Events kept per organisation, approximately (`MAXLEN ~`; default 10,000). */
  readonly maxEventsPerOrganisation?: number;
}

/**
 * Keeps audit events in one capped Redis stream per organisation. Newest first is the order
 * Redis received them in; a stream entry's id follows the event's time.
 *
 * @example
 * ```ts
 * const audit = new RedisAuditSink({ client });
 * const keygate = createKeygate({ store: new RedisKeyStore({ client }), audit });
 * ```
 */
export class RedisAuditSink implements AuditSink {
  readonly #client: RedisCommandClient;
  readonly #keys: KeyLayout;
  readonly #max: number;

  constructor(options: RedisAuditSinkOptions) {
    const client = options?.client;
    if (typeof client?.evalsha !== 'function' || typeof client.eval !== 'function') {
      throw new TypeError(`${PACKAGE}: client must be an ioredis Redis or Cluster instance`);
    }
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    if (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace)) {
      throw new TypeError(
        `${PACKAGE}: namespace must be 1 to 100 letters, digits or _ - . : (it becomes a hash tag)`,
      );
    }
    const max = options.maxEventsPerOrganisation ?? 10_000;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`${PACKAGE}: maxEventsPerOrganisation must be a positive integer`);
    }
    this.#client = client;
    this.#keys = new KeyLayout(namespace, clientKeyPrefix(client));
    this.#max = max;
  }

  async record(event: AuditEvent): Promise<void> {
    await appendAuditScript.run(
      this.#client,
      [this.#keys.auditKey(event.organisationId)],
      [
        String(this.#max),
        String(event.at.getTime()),
        'id',
        event.id,
        'action',
        event.action,
        'keyId',
        event.keyId,
        'keyPrefix',
        event.keyPrefix,
        'organisationId',
        event.organisationId ?? '',
        'actor',
        event.actor ?? '',
        'ip',
        event.ip ?? '',
        'at',
        String(event.at.getTime()),
      ],
    );
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    checkAuditQuery(query, PACKAGE);
    const limit = pageSize(query.limit, PACKAGE);
    if (query.cursor !== undefined && !STREAM_ID.test(query.cursor)) {
      throw new RangeError(`${PACKAGE}: cursor is not one that a listing returned`);
    }
    const key = this.#keys.auditKey(query.organisationId);
    const since = query.since?.getTime();
    const lower = since === undefined ? '-' : String(since);
    const found: { streamId: string; event: AuditEvent }[] = [];
    let upper = query.cursor === undefined ? '+' : `(${query.cursor}`;
    // With a key filter a page may take several reads; the stream is capped, so they end.
    const batch = query.keyId === undefined ? limit + 1 : Math.max(100, limit + 1);
    for (;;) {
      const entries = asArray(
        await readAuditScript.run(this.#client, [key], [upper, lower, String(batch)]),
      );
      for (const entry of entries) {
        const [streamId, fields] = asArray(entry) as [string, unknown];
        const event = toEvent(asArray(fields));
        if (event === undefined) continue;
        if (query.keyId !== undefined && event.keyId !== query.keyId) continue;
        if (since !== undefined && event.at.getTime() < since) continue;
        found.push({ streamId, event });
      }
      if (found.length > limit || entries.length < batch) break;
      upper = `(${String(asArray(entries[entries.length - 1])[0])}`;
    }
    const page = found.slice(0, limit);
    return {
      events: page.map((each) => each.event),
      nextCursor: found.length > limit ? page[page.length - 1]!.streamId : null,
    };
  }
}

function toEvent(pairs: readonly unknown[]): AuditEvent | undefined {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < pairs.length; i += 2) fields.set(String(pairs[i]), String(pairs[i + 1]));
  const action = fields.get('action');
  const at = Number(fields.get('at'));
  if (!isAuditAction(action) || !Number.isFinite(at)) return undefined;
  const optional = (name: string) => {
    const value = fields.get(name);
    return value === undefined || value === '' ? null : value;
  };
  return {
    id: fields.get('id') ?? '',
    action,
    keyId: fields.get('keyId') ?? '',
    keyPrefix: fields.get('keyPrefix') ?? '',
    organisationId: optional('organisationId'),
    actor: optional('actor'),
    ip: optional('ip'),
    at: new Date(at),
  };
}

function asArray(value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new Error(`${PACKAGE}: unexpected reply from Redis`);
  return value;
}
