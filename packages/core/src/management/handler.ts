// The JSON endpoints of an organisation admin's "API Keys" page, on the Fetch API: any server
// mounts them behind its own admin authentication and says which organisation is signed in.
import type { AuditPage } from '../audit/audit-event.js';
import { ApiKeyNotFoundError, ApiKeyStateError, InvalidKeyInputError } from '../errors.js';
import type { KeyManager } from '../key-manager.js';
import { checkLogger, createConsoleLogger, errorFields, type KeygateLogger } from '../logger.js';
import type { ApiKeySummary } from '../record.js';
import { type KeyUsage, MAX_USAGE_DAYS } from '../usage/usage-entry.js';
import { parseDuration } from './duration.js';
import {
  createKeyBody,
  readJsonObject,
  rotateKeyBody,
  type UpdateKeyBody,
  updateKeyBody,
} from './input.js';
import { parseIsoDate } from './iso-date.js';
import { ManagementRequestError, problemResponseFor } from './problems.js';

/** Options of {@link createManagementHandler}. */
export interface ManagementHandlerOptions {
  /** The key manager (`createKeygate(…).keys`, so that its verifier forgets changed keys at once). */
  readonly keys: KeyManager;
  /** Where the handler is mounted, such as `/admin/api` (default: the root). */
  readonly basePath?: string;
  /** Environments an admin may create keys for (default: every one of the key format). */
  readonly environments?: readonly string[];
  /** Prefix of problem `type` URIs (default `https://keygate.dev/problems/`). */
  readonly problemTypeBase?: string;
  /** Where failures are logged (pino's shape). Default: a quiet console logger. */
  readonly logger?: KeygateLogger;
  /** Told when the store fails (the answer is then a 503). Default: an error through `logger`. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Who is asking: the organisation whose keys the request may see and change, and (for the audit
 * log) who the admin is and where the request came from.
 */
export interface ManagementScope {
  readonly organisationId: string;
  /** The admin, as the audit log names them (an admin token id, a session). */
  readonly actor?: string;
  /** The client address. */
  readonly ip?: string;
}

/** The body of `GET /audit`: an organisation's audit events, newest first. */
export interface AuditEventsBody {
  readonly events: readonly {
    readonly id: string;
    readonly action: string;
    readonly keyId: string;
    readonly keyPrefix: string;
    readonly organisationId: string | null;
    readonly actor: string | null;
    readonly ip: string | null;
    /** ISO 8601. */
    readonly at: string;
  }[];
  readonly nextCursor: string | null;
}

/** Answers one management request for one organisation. */
export type ManagementHandler = (request: Request, scope: ManagementScope) => Promise<Response>;

/** A key as the management endpoints show it: never its digest, never the key itself. */
export interface ManagedApiKey {
  readonly id: string;
  readonly name: string;
  /** The first 14 characters of the key (`sk_live_AbCdEf`). */
  readonly prefix: string;
  readonly environment: string;
  readonly scopes: readonly string[];
  readonly status: ApiKeySummary['status'];
  /** ISO 8601 times, or `null`. */
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly disabledAt: string | null;
  /** Set once the key was rotated: the id of its successor. */
  readonly replacedById: string | null;
  /** When a secret scanner reported the key public (ISO 8601), or `null`. */
  readonly leakedAt: string | null;
  /** The key's own rate limit, or `null`. */
  readonly rateLimit: { readonly limit: number; readonly windowMs: number } | null;
  /** The key's credits (`refilledAt` as ISO 8601), or `null` for a key that is not metered. */
  readonly credits: {
    readonly remaining: number;
    readonly refill: { readonly amount: number; readonly intervalMs: number } | null;
    readonly refilledAt: string;
  } | null;
}

/** The body of a create or rotate answer: the key, shown this once, and its listing entry. */
export interface IssuedApiKeyBody {
  readonly key: string;
  readonly record: ManagedApiKey;
  /** Rotation only: the old key as it now is (working until its `expiresAt`). */
  readonly previous?: ManagedApiKey;
}

const KEY_ID = /^[^/]{1,200}$/;

/**
 * Builds the management handler. Routes, relative to `basePath`:
 *
 * - `GET /keys` (`?limit=&cursor=`): `{ keys, nextCursor }`
 * - `POST /keys` `{ name, expiresAt? | expiresIn?, environment?, scopes?, rateLimit?, credits? }`:
 *   201 `{ key, record }`
 * - `GET /keys/:id`, `DELETE /keys/:id` (204)
 * - `PATCH /keys/:id` `{ name?, expiresAt? | expiresIn?, scopes?, enabled?, rateLimit?, credits? }`:
 *   one write. `rateLimit`: `{ limit, windowMs }` or `null`; `credits`: `{ remaining?, refill? }`
 *   (a part left out is kept; `refill`: `{ amount, intervalMs }` or `null`) or `null`
 * - `POST /keys/:id/revoke`, `POST /keys/:id/rotate` `{ gracePeriod?, expiresAt? | expiresIn? }`:
 *   201 `{ key, record, previous }`; the successor keeps the old key's expiry unless told
 * - `GET /keys/:id/usage?days=30`: `{ keyId, days: [{ date, accepted, refused }] }`, oldest first
 * - `GET /audit?keyId=&since=&limit=&cursor=`: `{ events, nextCursor }`, newest first
 *
 * `scope.actor` and `scope.ip` are recorded in the audit event of each change.
 *
 * A key of another organisation is a 404, exactly like a key that does not exist. The handler
 * does not authenticate: mount it behind the admin's session, and protect it against CSRF there.
 *
 * @example
 * ```ts
 * const manage = createManagementHandler({ keys: keygate.keys, basePath: '/admin/api' });
 * // in a route that has checked the admin session:
 * return manage(request, { organisationId: session.organisationId });
 * ```
 */
export function createManagementHandler(options: ManagementHandlerOptions): ManagementHandler {
  if (typeof options !== 'object' || options === null || typeof options.keys !== 'object') {
    throw new TypeError('@keygate/core: createManagementHandler needs { keys: KeyManager }');
  }
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  if (basePath !== '' && !basePath.startsWith('/')) {
    throw new TypeError('@keygate/core: basePath must start with "/"');
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError('@keygate/core: onError must be a function');
  }
  const logger = checkLogger(options.logger, '@keygate/core') ?? createConsoleLogger();
  const resolved: ResolvedOptions = Object.freeze({
    keys: options.keys,
    basePath,
    environments: options.environments === undefined ? undefined : [...options.environments],
    problemTypeBase: options.problemTypeBase,
    onError:
      options.onError ??
      ((error: unknown) =>
        logger.error(
          errorFields(error),
          `@keygate/core: management request failed: ${error instanceof Error ? error.message : String(error)}`,
        )),
  });

  return async (request, scope) => {
    const organisationId = scope?.organisationId;
    if (typeof organisationId !== 'string' || organisationId === '') {
      throw new TypeError('@keygate/core: the management handler needs { organisationId }');
    }
    const caller: Caller = {
      organisationId,
      ...(typeof scope.actor === 'string' ? { actor: scope.actor } : {}),
      ...(typeof scope.ip === 'string' ? { ip: scope.ip } : {}),
    };
    try {
      return await route(resolved, request, caller);
    } catch (error) {
      return problemResponseFor(toRequestError(error, resolved), resolved.problemTypeBase);
    }
  };
}

// The organisation guard and audit context of every call the request makes.
interface Caller {
  readonly organisationId: string;
  readonly actor?: string;
  readonly ip?: string;
}

interface ResolvedOptions {
  readonly keys: KeyManager;
  readonly basePath: string;
  readonly environments: readonly string[] | undefined;
  readonly problemTypeBase: string | undefined;
  readonly onError: (error: unknown) => void;
}

async function route(
  options: ResolvedOptions,
  request: Request,
  caller: Caller,
): Promise<Response> {
  const { organisationId } = caller;
  const url = new URL(request.url);
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== options.basePath && !path.startsWith(`${options.basePath}/`)) throw notFound();
  const segments = path.slice(options.basePath.length).split('/').slice(1);
  const method = request.method.toUpperCase();
  if (segments.length === 1 && segments[0] === 'audit') {
    if (method !== 'GET') throw notAllowed('GET');
    return auditEvents(options, url, organisationId);
  }
  if (segments[0] !== 'keys') throw notFound();

  if (segments.length === 1) {
    if (method === 'GET') return list(options, url, organisationId);
    if (method === 'POST') return create(options, request, caller);
    throw notAllowed('GET, POST');
  }
  const id = decodeSegment(segments[1]!);
  if (segments.length === 2) {
    if (method === 'GET')
      return json(200, toManagedApiKey(await owned(options, id, organisationId)));
    if (method === 'PATCH') return update(options, request, id, caller);
    if (method === 'DELETE') return remove(options, id, caller);
    throw notAllowed('GET, PATCH, DELETE');
  }
  if (segments.length === 3 && segments[2] === 'usage') {
    if (method !== 'GET') throw notAllowed('GET');
    return usage(options, url, id, organisationId);
  }
  if (segments.length === 3 && (segments[2] === 'revoke' || segments[2] === 'rotate')) {
    if (method !== 'POST') throw notAllowed('POST');
    if (segments[2] === 'revoke') {
      return json(200, toManagedApiKey(await options.keys.revoke(id, caller)));
    }
    return rotate(options, request, id, caller);
  }
  throw notFound();
}

async function list(options: ResolvedOptions, url: URL, organisationId: string) {
  const limitText = url.searchParams.get('limit');
  const cursor = url.searchParams.get('cursor');
  let limit: number | undefined;
  if (limitText !== null) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= 1000)) {
      throw invalid('limit must be a whole number from 1 to 1000.');
    }
  }
  let page: Awaited<ReturnType<KeyManager['list']>>;
  try {
    page = await options.keys.list(organisationId, {
      ...(limit === undefined ? {} : { limit }),
      ...(cursor === null || cursor === '' ? {} : { cursor }),
    });
  } catch (error) {
    // Stores reject a cursor they did not make with a RangeError.
    if (error instanceof RangeError) throw invalid('cursor is not one that a listing returned.');
    throw error;
  }
  return json(200, { keys: page.keys.map(toManagedApiKey), nextCursor: page.nextCursor });
}

async function create(options: ResolvedOptions, request: Request, caller: Caller) {
  const { organisationId } = caller;
  const body = createKeyBody(await readJsonObject(request), Date.now());
  if (
    body.environment !== undefined &&
    options.environments !== undefined &&
    !options.environments.includes(body.environment)
  ) {
    throw invalid(`environment must be one of ${options.environments.join(', ')}.`);
  }
  const created = await options.keys.create(
    {
      organisationId,
      name: body.name,
      expiresAt: body.expiresAt,
      ...(body.environment === undefined ? {} : { environment: body.environment }),
      ...(body.scopes === undefined ? {} : { scopes: body.scopes }),
      // Checked by the key manager: a bad shape is its TypeError/RangeError, answered as a 400.
      ...(body.rateLimit === undefined ? {} : { rateLimit: body.rateLimit }),
      ...(body.credits === undefined ? {} : { credits: body.credits }),
    },
    caller,
  );
  const answer: IssuedApiKeyBody = { key: created.key, record: toManagedApiKey(created.record) };
  return json(201, answer, {
    location: `${options.basePath}/keys/${encodeURIComponent(created.record.id)}`,
  });
}

async function update(options: ResolvedOptions, request: Request, id: string, caller: Caller) {
  const body: UpdateKeyBody = updateKeyBody(await readJsonObject(request), Date.now());
  return json(200, toManagedApiKey(await options.keys.update(id, body, caller)));
}

async function remove(options: ResolvedOptions, id: string, caller: Caller) {
  if (!(await options.keys.delete(id, caller))) throw keyNotFound(id);
  return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
}

async function rotate(options: ResolvedOptions, request: Request, id: string, caller: Caller) {
  const body = rotateKeyBody(await readJsonObject(request, true), Date.now());
  const rotated = await options.keys.rotate(id, { ...body, ...caller });
  const answer: IssuedApiKeyBody = {
    key: rotated.key,
    record: toManagedApiKey(rotated.record),
    previous: toManagedApiKey(rotated.previous),
  };
  return json(201, answer);
}

// `GET /keys/:id/usage?days=30`: the key's verifications per UTC day, oldest first, zero-filled.
async function usage(options: ResolvedOptions, url: URL, id: string, organisationId: string) {
  const daysText = url.searchParams.get('days');
  let days: number | undefined;
  if (daysText !== null) {
    days = /^\d{1,3}$/.test(daysText) ? Number(daysText) : Number.NaN;
    if (!(days >= 1 && days <= MAX_USAGE_DAYS)) {
      throw invalid(`days must be a whole number from 1 to ${MAX_USAGE_DAYS}.`);
    }
  }
  const answer: KeyUsage = await options.keys.usage(id, {
    organisationId,
    ...(days === undefined ? {} : { days }),
  });
  return json(200, { keyId: answer.keyId, days: answer.days });
}

// `GET /audit?keyId=&since=&limit=&cursor=`: the organisation's audit events, newest first.
// `since` is an ISO 8601 time or a duration back from now (`7d`).
async function auditEvents(options: ResolvedOptions, url: URL, organisationId: string) {
  const params = url.searchParams;
  const limitText = params.get('limit');
  let limit: number | undefined;
  if (limitText !== null) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= 1000)) {
      throw invalid('limit must be a whole number from 1 to 1000.');
    }
  }
  const sinceText = params.get('since');
  let since: Date | undefined;
  if (sinceText !== null && sinceText !== '') {
    const back = parseDuration(sinceText);
    since = back === undefined ? parseIsoDate(sinceText) : new Date(Date.now() - back);
    if (since === undefined || Number.isNaN(since.getTime())) {
      throw invalid('since must be an ISO 8601 time or a duration such as 7d.');
    }
  }
  const keyId = params.get('keyId');
  const cursor = params.get('cursor');
  let page: AuditPage;
  try {
    page = await options.keys.listAuditEvents({
      organisationId,
      ...(keyId === null || keyId === '' ? {} : { keyId }),
      ...(since === undefined ? {} : { since }),
      ...(limit === undefined ? {} : { limit }),
      ...(cursor === null || cursor === '' ? {} : { cursor }),
    });
  } catch (error) {
    if (error instanceof RangeError) throw invalid('cursor is not one that a listing returned.');
    throw error;
  }
  const body: AuditEventsBody = {
    events: page.events.map((event) => ({
      id: event.id,
      action: event.action,
      keyId: event.keyId,
      keyPrefix: event.keyPrefix,
      organisationId: event.organisationId,
      actor: event.actor,
      ip: event.ip,
      at: event.at.toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
  return json(200, body);
}

// The key, if it belongs to this organisation; another organisation's key is "not found" so
// that ids cannot be probed across organisations.
async function owned(
  options: ResolvedOptions,
  id: string,
  organisationId: string,
): Promise<ApiKeySummary> {
  const summary = await options.keys.get(id, { organisationId });
  if (summary === null) throw keyNotFound(id);
  return summary;
}

/**
 * A summary as the management endpoints show it (times as ISO strings, no organisation or
 * metadata).
 *
 * @example
 * ```ts
 * const { keys } = await keygate.keys.list('org_1');
 * console.log(JSON.stringify(keys.map(toManagedApiKey)));
 * ```
 */
export function toManagedApiKey(summary: ApiKeySummary): ManagedApiKey {
  return {
    id: summary.id,
    name: summary.name,
    prefix: summary.prefix,
    environment: summary.environment,
    scopes: summary.scopes,
    status: summary.status,
    createdAt: summary.createdAt.toISOString(),
    lastUsedAt: summary.lastUsedAt?.toISOString() ?? null,
    expiresAt: summary.expiresAt?.toISOString() ?? null,
    revokedAt: summary.revokedAt?.toISOString() ?? null,
    disabledAt: summary.disabledAt?.toISOString() ?? null,
    replacedById: summary.replacedById,
    leakedAt: summary.leakedAt?.toISOString() ?? null,
    rateLimit: summary.rateLimit,
    credits:
      summary.credits === null
        ? null
        : {
            remaining: summary.credits.remaining,
            refill: summary.credits.refill,
            refilledAt: summary.credits.refilledAt.toISOString(),
          },
  };
}

function toRequestError(error: unknown, options: ResolvedOptions): ManagementRequestError {
  if (error instanceof ManagementRequestError) return error;
  // The key manager's errors carry a stable code: matched by code, never by message.
  const code = (error as { code?: unknown } | null)?.code;
  if (code === ApiKeyNotFoundError.code) {
    return keyNotFound(String((error as { keyId?: unknown }).keyId ?? ''));
  }
  if (code === ApiKeyStateError.code) {
    return new ManagementRequestError(ApiKeyStateError.code, (error as Error).message);
  }
  if (code === InvalidKeyInputError.code) return invalid((error as Error).message);
  options.onError(error);
  return new ManagementRequestError(
    'key_store_unavailable',
    'The key store could not be reached; try again shortly.',
  );
}

function decodeSegment(segment: string): string {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    throw notFound();
  }
  if (!KEY_ID.test(id)) throw notFound();
  return id;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

function keyNotFound(id: string): ManagementRequestError {
  return new ManagementRequestError(
    'api_key_not_found',
    `No API key with id ${JSON.stringify(id)} in this organisation.`,
  );
}

function notFound(): ManagementRequestError {
  return new ManagementRequestError('not_found', 'No such management endpoint.');
}

function notAllowed(allow: string): ManagementRequestError {
  return new ManagementRequestError('method_not_allowed', `Use ${allow} here.`, { allow });
}

function invalid(detail: string): ManagementRequestError {
  return new ManagementRequestError('invalid_request', detail);
}
