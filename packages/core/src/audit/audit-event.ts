// The audit log (docs/observability.md, "Audit log"): one event per management action, naming
// the key by id and display prefix only, with who did it and from where.

/** What was done to a key. `leak`: a secret scanner reported it public. */
export type AuditAction =
  | 'create'
  | 'update'
  | 'disable'
  | 'enable'
  | 'revoke'
  | 'rotate'
  | 'delete'
  | 'leak';

/**
 * One management action. Never holds a key or a digest: the key is named by its id and display
 * prefix (`sk_live_AbCdEf`).
 */
export interface AuditEvent {
  /** Unique id of the event (a UUID). */
  readonly id: string;
  readonly action: AuditAction;
  readonly keyId: string;
  /** The key's display prefix, its first 14 characters. */
  readonly keyPrefix: string;
  /** The key's organisation (`null` for a key without one). */
  readonly organisationId: string | null;
  /** Who did it, as the caller named them (`admin:tok_1`, `cli:alice`, `github`), or `null`. */
  readonly actor: string | null;
  /** The client address the action came from, when known. */
  readonly ip: string | null;
  /** When it was done. */
  readonly at: Date;
}

/** Who asks for a management action, recorded in its audit event. Both optional. */
export interface AuditContext {
  /** Who does it: an admin token id, a session, `cli:<user>`. */
  readonly actor?: string;
  /** The client address, when known. */
  readonly ip?: string;
}

/** Which audit events to list: one organisation's, newest first. */
export interface AuditQuery {
  readonly organisationId: string;
  /** Only this key's events. */
  readonly keyId?: string;
  /** Only events at or after this time. */
  readonly since?: Date;
  /** At most this many events (default 100, at most 1,000). */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** One page of audit events, newest first. */
export interface AuditPage {
  readonly events: readonly AuditEvent[];
  /** Pass back as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Where audit events are kept: `MemoryAuditSink`, `SqlAuditSink` (`@keygate/sql`, a table of
 * its own), `RedisAuditSink` (`@keygate/redis`, a capped stream per organisation).
 *
 * @example
 * ```ts
 * const audit: AuditSink = new MemoryAuditSink();
 * const keygate = createKeygate({ store, audit });
 * const { events } = await audit.list({ organisationId: 'org_1' });
 * ```
 */
export interface AuditSink {
  /** Keeps one event. */
  record(event: AuditEvent): Promise<void>;
  /**
   * An organisation's events, newest first, a page at a time. Events are recorded as they
   * happen, so newest first is by `at`; where two share a millisecond or arrive out of order, a
   * sink may order them by id (memory, SQL) or by arrival (Redis).
   */
  list(query: AuditQuery): Promise<AuditPage>;
}

const ACTIONS: ReadonlySet<string> = new Set<AuditAction>([
  'create',
  'update',
  'disable',
  'enable',
  'revoke',
  'rotate',
  'delete',
  'leak',
]);

/**
 * Whether `value` names an audit action.
 *
 * @example
 * ```ts
 * if (!isAuditAction(row.action)) throw new Error('unknown action');
 * ```
 */
export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && ACTIONS.has(value);
}

/**
 * Checks an audit query (organisation, limit, since); throws `TypeError`/`RangeError` naming
 * `packageName`, as a store's listing does.
 *
 * @example
 * ```ts
 * checkAuditQuery(query, '@keygate/sql');
 * ```
 */
export function checkAuditQuery(query: AuditQuery, packageName: string): void {
  if (typeof query !== 'object' || query === null) {
    throw new TypeError(`${packageName}: list needs { organisationId }`);
  }
  if (typeof query.organisationId !== 'string' || query.organisationId === '') {
    throw new TypeError(`${packageName}: list needs an organisation id`);
  }
  if (query.keyId !== undefined && typeof query.keyId !== 'string') {
    throw new TypeError(`${packageName}: keyId must be a string`);
  }
  if (
    query.since !== undefined &&
    (!(query.since instanceof Date) || Number.isNaN(query.since.getTime()))
  ) {
    throw new TypeError(`${packageName}: since must be a valid Date`);
  }
}
