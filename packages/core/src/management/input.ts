// Reads and checks what an admin sends: a small JSON body, fields of known types. Every mistake
// becomes a 400 (or 413/415) with a detail that names the field, never a 500.

import {
  type CreateApiKeyInput,
  checkName,
  MAX_GRACE_PERIOD_MS,
  MAX_NAME_LENGTH,
  type UpdateApiKeyInput,
} from '../key-manager-input.js';
import { readBodyWithin } from '../request-body.js';
import { formatDuration, parseDuration } from './duration.js';
import { parseIsoDate } from './iso-date.js';
import { ManagementRequestError } from './problems.js';

/** Largest JSON body the handler reads. */
export const MAX_BODY_BYTES = 16 * 1024;
/** The furthest expiry accepted: far enough for any real key, near enough that Date arithmetic stays exact. */
export const MAX_EXPIRY_MS = 100 * 365 * 86_400_000;

/** A checked `POST /keys` body. */
export interface CreateKeyBody {
  readonly name: string;
  readonly environment: string | undefined;
  readonly expiresAt: Date | null;
  readonly scopes: readonly string[] | undefined;
  /** `{ limit, windowMs }` or `null`, as sent: the key manager checks it (a 400 when wrong). */
  readonly rateLimit?: Exclude<CreateApiKeyInput['rateLimit'], undefined>;
  /** `{ remaining, refill? }` or `null`, as sent: the key manager checks it. */
  readonly credits?: Exclude<CreateApiKeyInput['credits'], undefined>;
}

/** A checked `PATCH /keys/:id` body: only the fields that were sent. */
export interface UpdateKeyBody {
  readonly name?: string;
  readonly expiresAt?: Date | null;
  readonly scopes?: readonly string[];
  readonly enabled?: boolean;
  readonly rateLimit?: Exclude<UpdateApiKeyInput['rateLimit'], undefined>;
  readonly credits?: Exclude<UpdateApiKeyInput['credits'], undefined>;
}

/** A checked `POST /keys/:id/rotate` body. */
export interface RotateKeyBody {
  readonly gracePeriodMs: number;
  /** The successor's expiry when the body sets one (`null`: never); else the old key's. */
  readonly expiresAt?: Date | null;
}

/** Reads the body as a JSON object; an empty body is `{}` when `optional`. */
export async function readJsonObject(
  request: Request,
  optional = false,
): Promise<Record<string, unknown>> {
  const text = await readBodyText(request);
  if (text.trim() === '') {
    if (optional) return {};
    throw new ManagementRequestError('invalid_request', 'The request needs a JSON body.');
  }
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ManagementRequestError(
      'unsupported_media_type',
      'Send the body as JSON, with Content-Type: application/json.',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ManagementRequestError('invalid_request', 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManagementRequestError('invalid_request', 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

async function readBodyText(request: Request): Promise<string> {
  const bytes = await readBodyWithin(request, MAX_BODY_BYTES);
  if (bytes === undefined) throw tooLarge();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ManagementRequestError('invalid_request', 'The body is not valid UTF-8.');
  }
}

function tooLarge(): ManagementRequestError {
  return new ManagementRequestError(
    'payload_too_large',
    `The body must be at most ${MAX_BODY_BYTES} bytes.`,
  );
}

/** Checks the body of a create request. */
export function createKeyBody(body: Record<string, unknown>, now: number): CreateKeyBody {
  allowOnly(body, [
    'name',
    'environment',
    'expiresAt',
    'expiresIn',
    'scopes',
    'rateLimit',
    'credits',
  ]);
  const environment = body.environment;
  if (environment !== undefined && (typeof environment !== 'string' || environment === '')) {
    throw invalid('environment must be a string such as "live" or "test".');
  }
  return {
    name: keyName(body.name),
    environment,
    expiresAt: expiry(body, now) ?? null,
    scopes: scopeList(body.scopes),
    ...(body.rateLimit === undefined
      ? {}
      : { rateLimit: body.rateLimit as Exclude<CreateApiKeyInput['rateLimit'], undefined> }),
    ...(body.credits === undefined
      ? {}
      : { credits: body.credits as Exclude<CreateApiKeyInput['credits'], undefined> }),
  };
}

/** Checks the body of an update request: any of name, expiry, scopes and enabled. */
export function updateKeyBody(body: Record<string, unknown>, now: number): UpdateKeyBody {
  allowOnly(body, ['name', 'expiresAt', 'expiresIn', 'scopes', 'enabled', 'rateLimit', 'credits']);
  const expiresAt = expiry(body, now);
  const scopes = scopeList(body.scopes);
  const { name, enabled } = body;
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw invalid('enabled must be true or false.');
  }
  if (
    name === undefined &&
    expiresAt === undefined &&
    scopes === undefined &&
    enabled === undefined &&
    body.rateLimit === undefined &&
    body.credits === undefined
  ) {
    throw invalid(
      'Send name, expiresAt or expiresIn, scopes, enabled, rateLimit or credits to change.',
    );
  }
  return {
    ...(name === undefined ? {} : { name: keyName(name) }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(scopes === undefined ? {} : { scopes }),
    ...(enabled === undefined ? {} : { enabled }),
    // Shapes and ranges are the key manager's to check (a 400 naming the field).
    ...(body.rateLimit === undefined
      ? {}
      : { rateLimit: body.rateLimit as Exclude<UpdateApiKeyInput['rateLimit'], undefined> }),
    ...(body.credits === undefined
      ? {}
      : { credits: body.credits as Exclude<UpdateApiKeyInput['credits'], undefined> }),
  };
}

/**
 * Checks the body of a rotate request: `gracePeriod` as a duration (`"24h"`) or seconds, and
 * optionally the successor's expiry (`expiresAt`, `null` for none, or `expiresIn`).
 */
export function rotateKeyBody(body: Record<string, unknown>, now: number): RotateKeyBody {
  allowOnly(body, ['gracePeriod', 'expiresAt', 'expiresIn']);
  const expiresAt = expiry(body, now);
  const grace = body.gracePeriod;
  let gracePeriodMs: number | undefined;
  if (grace === undefined) gracePeriodMs = 0;
  else if (typeof grace === 'number' && Number.isSafeInteger(grace) && grace >= 0) {
    gracePeriodMs = grace * 1000;
  } else if (typeof grace === 'string') gracePeriodMs = parseDuration(grace);
  if (gracePeriodMs === undefined || gracePeriodMs > MAX_GRACE_PERIOD_MS) {
    throw invalid(
      `gracePeriod must be a duration from 0 to ${formatDuration(MAX_GRACE_PERIOD_MS)} ("0", "1h", "7d") or whole seconds.`,
    );
  }
  return expiresAt === undefined ? { gracePeriodMs } : { gracePeriodMs, expiresAt };
}

function scopeList(scopes: unknown): readonly string[] | undefined {
  if (
    scopes !== undefined &&
    (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string'))
  ) {
    throw invalid('scopes must be an array of strings.');
  }
  return scopes as string[] | undefined;
}

function keyName(name: unknown): string {
  if (name === undefined) throw invalid('name is required (for example "Production API").');
  if (typeof name !== 'string') {
    throw invalid(`name must be a string of 1 to ${MAX_NAME_LENGTH} characters.`);
  }
  // The key manager's own rule, answered as a 400 that says which part of it failed.
  try {
    return checkName(name);
  } catch (error) {
    throw invalid(
      /control characters/.test((error as Error).message)
        ? 'name must not contain control characters (newlines, tabs, terminal escapes).'
        : `name must be a string of 1 to ${MAX_NAME_LENGTH} characters.`,
    );
  }
}

// `undefined`: not sent; `null`: never expires.
function expiry(body: Record<string, unknown>, now: number): Date | null | undefined {
  const { expiresAt, expiresIn } = body;
  if (expiresAt !== undefined && expiresIn !== undefined) {
    throw invalid('Send expiresAt or expiresIn, not both.');
  }
  if (expiresIn !== undefined) {
    const ms = typeof expiresIn === 'string' ? parseDuration(expiresIn) : undefined;
    if (ms === undefined || ms === 0 || ms > MAX_EXPIRY_MS) {
      throw invalid('expiresIn must be a duration such as "30d", "12h" or "1d12h".');
    }
    return new Date(now + ms);
  }
  if (expiresAt === undefined || expiresAt === null) return expiresAt;
  // Strict: a day that does not exist ("2027-02-30") is refused, never moved to another.
  const time =
    typeof expiresAt === 'string' ? (parseIsoDate(expiresAt)?.getTime() ?? Number.NaN) : Number.NaN;
  if (Number.isNaN(time)) {
    throw invalid(
      'expiresAt must be an ISO 8601 date that exists, such as "2026-12-31T23:59:59Z", or null.',
    );
  }
  if (time <= now) throw invalid('expiresAt must be in the future.');
  if (time - now > MAX_EXPIRY_MS) throw invalid('expiresAt must be within 100 years.');
  return new Date(time);
}

function allowOnly(body: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of Object.keys(body)) {
    if (!fields.includes(field)) {
      throw invalid(`Unknown field ${JSON.stringify(field)}; expected ${fields.join(', ')}.`);
    }
  }
}

function invalid(detail: string): ManagementRequestError {
  return new ManagementRequestError('invalid_request', detail);
}
