// The audit sink of one process: events in memory, for tests, demos and a single instance.
import { cutPage, decodeCursor, isAfterCursor, pageSize } from '../store/pagination.js';
import {
  type AuditEvent,
  type AuditPage,
  type AuditQuery,
  type AuditSink,
  checkAuditQuery,
} from './audit-event.js';

/**
 * Keeps audit events in memory (the newest `maxEvents`, default 10,000).
 *
 * @example
 * ```ts
 * const audit = new MemoryAuditSink();
 * const keygate = createKeygate({ store: new MemoryKeyStore(), audit });
 * ```
 */
export class MemoryAuditSink implements AuditSink {
  readonly #events: AuditEvent[] = [];
  readonly #maxEvents: number;

  constructor(options: { readonly maxEvents?: number } = {}) {
    const maxEvents = options.maxEvents ?? 10_000;
    if (!Number.isSafeInteger(maxEvents) || maxEvents < 1) {
      throw new RangeError('@keygate/core: maxEvents must be a positive integer');
    }
    this.#maxEvents = maxEvents;
  }

  async record(event: AuditEvent): Promise<void> {
    // A copy: the caller's object may change after the call, the log must not.
    this.#events.push(Object.freeze({ ...event, at: new Date(event.at.getTime()) }));
    if (this.#events.length > this.#maxEvents) this.#events.shift();
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    checkAuditQuery(query, '@keygate/core');
    const limit = pageSize(query.limit);
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const since = query.since?.getTime();
    const matching = this.#events
      .filter(
        (event) =>
          event.organisationId === query.organisationId &&
          (query.keyId === undefined || event.keyId === query.keyId) &&
          (since === undefined || event.at.getTime() >= since) &&
          (cursor === undefined || isAfterCursor(event.at.getTime(), event.id, cursor)),
      )
      .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return auditPageOf(matching, limit);
  }
}

/**
 * The page cut from one event more than asked for (that extra event says another page follows).
 *
 * @example
 * ```ts
 * return auditPageOf(rows.map(toEvent), limit);
 * ```
 */
export function auditPageOf(events: readonly AuditEvent[], limit: number): AuditPage {
  const { page, nextCursor } = cutPage(events, limit, (event) => ({
    createdAt: event.at.getTime(),
    id: event.id,
  }));
  return { events: page, nextCursor };
}
