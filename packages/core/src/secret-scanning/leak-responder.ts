// What keygate does with a key reported as public: find it by digest (every pepper version, as
// the verifier does), then revoke it or only flag it, record when and where it leaked, tell the
// verifier's cache and the platform. Shared by the GitHub handler and `keygate scan --revoke`.
import type { AuditEvent, AuditSink } from '../audit/audit-event.js';
import { errorFields } from '../logger.js';
import { parseApiKey } from '../parse.js';
import type { ApiKeyRecord, ApiKeyRecordChanges } from '../record.js';
import type { Verifier } from '../verifier.js';

/** What to do with a live key reported as leaked. */
export type LeakAction = 'revoke' | 'flag';

/** Told once per key when it is first reported (never with the key itself). */
export interface LeakReport {
  readonly keyId: string;
  readonly organisationId: string | null;
  readonly name: string;
  /** The display prefix (`sk_live_AbCdEf`). */
  readonly prefix: string;
  readonly environment: string;
  /** What was done: the key is now revoked, or only flagged. */
  readonly action: LeakAction;
  readonly leakedAt: Date;
  /** Where it leaked (a URL), or `null`. */
  readonly source: string | null;
  /** Who reported it, such as `github` or `keygate-scan`. */
  readonly reporter: string;
}

/** What a report found. */
export type LeakOutcome =
  /** Not a key of this format (wrong prefix, length, alphabet or checksum). */
  | { readonly status: 'not_a_key' }
  /** Well formed, but no store record has it (never issued, or deleted). */
  | { readonly status: 'unknown' }
  /** A key that was revoked before anyone reported it: it no longer opens anything. */
  | { readonly status: 'inactive'; readonly record: ApiKeyRecord }
  /** Newly recorded as leaked (and revoked, with `revoke`). */
  | { readonly status: 'revoked' | 'flagged'; readonly record: ApiKeyRecord }
  /** Reported before: nothing was written again. */
  | { readonly status: 'already_reported'; readonly record: ApiKeyRecord };

/**
 * The audit-log event of a leak report: an {@link AuditEvent} with action `leak` and the reporter
 * (`github`, `keygate-scan`) as actor (docs/observability.md, "Audit log").
 */
export type LeakAuditEvent = AuditEvent & { readonly action: 'leak' };

/** Where leak events go: any audit sink (it needs only `record`). */
export type LeakAuditSink = Pick<AuditSink, 'record'>;

/** Options of {@link createLeakResponder}. */
export interface LeakResponderOptions {
  /** The application's verifier: its store, format and peppers are used, and its cache told. */
  readonly verifier: Verifier;
  /** `revoke` (default) ends the key at once; `flag` records the leak and leaves it working. */
  readonly action?: LeakAction;
  /** Called once per newly reported key, so the platform can tell its customer. */
  readonly onLeak?: (report: LeakReport) => void | Promise<void>;
  /** The application's audit log: one `leak` event per newly reported key. */
  readonly audit?: LeakAuditSink;
  /**
   * Told when `onLeak` or the audit write fails (the report still counts). Default: an error
   * through the verifier's logger.
   */
  readonly onError?: (error: unknown) => void;
}

/** Acts on keys reported as leaked. */
export interface LeakResponder {
  readonly action: LeakAction;
  /**
   * Handles one reported token. Reporting the same key again writes nothing and calls no hook.
   * Rejects only when the store fails.
   */
  report(token: string, where: { source: string | null; reporter: string }): Promise<LeakOutcome>;
}

/**
 * Builds a leak responder.
 *
 * @example
 * ```ts
 * const leaks = createLeakResponder({ verifier: keygate.verifier, onLeak: (r) => mailOwner(r) });
 * const outcome = await leaks.report(token, { source: url, reporter: 'github' });
 * ```
 */
export function createLeakResponder(options: LeakResponderOptions): LeakResponder {
  const verifier = options?.verifier;
  if (typeof verifier?.invalidate !== 'function' || typeof verifier.options !== 'object') {
    throw new TypeError('@keygate/core: createLeakResponder needs { verifier }');
  }
  const action = options.action ?? 'revoke';
  if (action !== 'revoke' && action !== 'flag') {
    throw new TypeError(`@keygate/core: action must be 'revoke' or 'flag', got ${String(action)}`);
  }
  if (options.onLeak !== undefined && typeof options.onLeak !== 'function') {
    throw new TypeError('@keygate/core: onLeak must be a function');
  }
  if (options.audit !== undefined && typeof options.audit?.record !== 'function') {
    throw new TypeError('@keygate/core: audit must be an audit sink (with record)');
  }
  const logger = verifier.options.logger;
  const onError =
    options.onError ??
    ((error: unknown) =>
      logger.error(
        errorFields(error),
        `@keygate/core: onLeak failed: ${error instanceof Error ? error.message : String(error)}`,
      ));
  const { store, format, digester } = verifier.options;
  // One report per record at a time in this process, so that an alert delivered twice at once
  // still writes (and calls onLeak) once.
  const inFlight = new Map<string, Promise<LeakOutcome>>();

  async function find(token: string): Promise<ApiKeyRecord | null> {
    for (const version of digester.versions) {
      const record = await store.findByHash(version.digest(token));
      if (record !== null) return record;
    }
    return null;
  }

  async function record(
    current: ApiKeyRecord,
    where: { source: string | null; reporter: string },
  ): Promise<LeakOutcome> {
    const revoked = current.revokedAt !== null && current.revokedAt.getTime() <= Date.now();
    if (current.leakedAt !== null && (revoked || action === 'flag')) {
      return { status: 'already_reported', record: current };
    }
    if (revoked) return { status: 'inactive', record: current };
    const now = new Date();
    const changes: ApiKeyRecordChanges = {
      // A leak first flagged and now revoked keeps its first time and place.
      ...(current.leakedAt === null ? { leakedAt: now, leakSource: where.source } : {}),
      ...(action === 'revoke' ? { revokedAt: now } : {}),
    };
    const updated = (await store.update(current.id, changes)) ?? current;
    verifier.invalidate({ id: current.id, hash: current.hash });
    if (current.leakedAt === null && options.audit !== undefined) {
      try {
        await options.audit.record({
          id: crypto.randomUUID(),
          action: 'leak',
          keyId: updated.id,
          keyPrefix: updated.prefix,
          organisationId: updated.organisationId,
          actor: where.reporter,
          ip: null,
          at: updated.leakedAt ?? now,
        });
      } catch (error) {
        onError(error);
      }
    }
    if (current.leakedAt === null && options.onLeak !== undefined) {
      try {
        await options.onLeak({
          keyId: updated.id,
          organisationId: updated.organisationId,
          name: updated.name,
          prefix: updated.prefix,
          environment: updated.environment,
          action,
          leakedAt: updated.leakedAt ?? now,
          source: updated.leakSource,
          reporter: where.reporter,
        });
      } catch (error) {
        onError(error);
      }
    }
    return { status: action === 'revoke' ? 'revoked' : 'flagged', record: updated };
  }

  return Object.freeze({
    action,
    async report(token: string, where: { source: string | null; reporter: string }) {
      if (!parseApiKey(token, format).ok) return { status: 'not_a_key' } as const;
      const found = await find(token);
      if (found === null) return { status: 'unknown' } as const;
      let pending = inFlight.get(found.id);
      if (pending === undefined) {
        pending = record(found, where).finally(() => inFlight.delete(found.id));
        inFlight.set(found.id, pending);
      }
      return pending;
    },
  });
}
