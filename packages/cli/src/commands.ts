// What each keygate command does, once the store is open: the key manager's operations, printed
// for people or, with --json, for scripts.
import { type ApiKeySummary, type Keygate, MAX_USAGE_DAYS } from '@keygate/core';
import {
  formatDuration,
  MAX_EXPIRY_MS,
  parseDuration,
  parseIsoDate,
  parseRatePerDuration,
} from '@keygate/core/management';
import { CommandFailure, UsageError } from './cli-errors.js';
import type { CliIo, ParsedCommand } from './command-line.js';
import type { OpenedKeyStore } from './open-key-store.js';
import {
  jsonForTerminal,
  keyTable,
  printable,
  quotasOf,
  shortTime,
  toApiKeyJson,
} from './output.js';

/** What a command runs with. */
export interface CommandContext {
  readonly io: CliIo;
  readonly opened: OpenedKeyStore;
  readonly keygate: Keygate;
  /** Who the audit log names for changes made by this command (`cli:<user>`). */
  readonly actor?: string;
}

/** Runs one parsed command; returns the exit code, or throws a usage error or a failure. */
export async function runCommand(parsed: ParsedCommand, context: CommandContext): Promise<number> {
  switch (parsed.command) {
    case 'keys create':
      return createKey(parsed, context);
    case 'keys list':
      return listKeys(parsed, context);
    case 'keys revoke':
      return revokeKey(parsed, context);
    case 'keys delete':
      return deleteKey(parsed, context);
    case 'keys rotate':
      return rotateKey(parsed, context);
    case 'keys update':
      return updateKey(parsed, context);
    case 'keys verify':
      return verifyKey(parsed, context);
    case 'keys usage':
      return keyUsage(parsed, context);
    case 'audit':
      return auditLog(parsed, context);
    case 'migrate':
      return migrate(parsed, context);
    case 'serve':
      // A server, not a one-shot command: runCli hands it to runServe before opening a store.
      throw new TypeError('keygate serve is run by runServe, not runCommand');
    case 'scan':
      // Needs no store unless --revoke: runCli hands it to runScan before opening one.
      throw new TypeError('keygate scan is run by runScan, not runCommand');
  }
}

async function createKey(
  parsed: ParsedCommand,
  { io, keygate, actor }: CommandContext,
): Promise<number> {
  const organisationId = required(parsed, 'org', 'keys create needs --org <organisation id>');
  const name = required(parsed, 'name', 'keys create needs --name <name> (e.g. "Production API")');
  const environment = optional(parsed, 'env');
  const scopes = scopesOption(parsed);
  const created = await asUsage(() =>
    keygate.keys.create(
      {
        organisationId,
        name,
        expiresAt: expiryOption(parsed),
        ...(environment === undefined ? {} : { environment }),
        ...(scopes === undefined ? {} : { scopes }),
        ...quotaOptions(parsed),
      },
      actor === undefined ? {} : { actor },
    ),
  );
  if (parsed.json) {
    write(io, { key: created.key, record: toApiKeyJson(created.record) });
    return 0;
  }
  io.stdout(
    [
      `Created API key "${printable(created.record.name)}" for organisation ${printable(organisationId)}.`,
      `  id:       ${created.record.id}`,
      `  expires:  ${shortTime(created.record.expiresAt)}`,
      '',
      `  ${created.key}`,
      '',
      'Store this key now: it is shown only once and cannot be shown again.',
      '',
    ].join('\n'),
  );
  return 0;
}

async function listKeys(parsed: ParsedCommand, { io, keygate }: CommandContext): Promise<number> {
  const organisationId = required(parsed, 'org', 'keys list needs --org <organisation id>');
  const keys: ApiKeySummary[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<Keygate['keys']['list']>> = await keygate.keys.list(
      organisationId,
      { limit: 1000, ...(cursor === null ? {} : { cursor }) },
    );
    keys.push(...page.keys);
    cursor = page.nextCursor;
  } while (cursor !== null);
  if (parsed.json) {
    write(io, { organisationId, keys: keys.map(toApiKeyJson) });
  } else if (keys.length === 0) {
    io.stdout(`Organisation ${printable(organisationId)} has no API keys.\n`);
  } else {
    io.stdout(`${keyTable(keys)}\n`);
  }
  return 0;
}

async function revokeKey(
  parsed: ParsedCommand,
  { io, keygate, actor }: CommandContext,
): Promise<number> {
  const id = parsed.args[0]!;
  const startedAt = Date.now();
  const after = await manage(() => keygate.keys.revoke(id, guardOf(parsed, actor)));
  // revoke keeps the first revocation time: one before this command means it was revoked already.
  const alreadyRevoked = after.revokedAt !== null && after.revokedAt.getTime() < startedAt;
  if (parsed.json) {
    write(io, { revoked: true, alreadyRevoked, record: toApiKeyJson(after) });
  } else if (alreadyRevoked) {
    io.stdout(
      `Key ${printable(id)} (${after.prefix}…) was already revoked at ${shortTime(after.revokedAt)}.\n`,
    );
  } else {
    io.stdout(
      `Revoked key ${printable(id)} (${after.prefix}…, "${printable(after.name)}"): it is refused from now on.\n`,
    );
  }
  return 0;
}

async function deleteKey(
  parsed: ParsedCommand,
  { io, keygate, actor }: CommandContext,
): Promise<number> {
  const id = parsed.args[0]!;
  if (!(await keygate.keys.delete(id, guardOf(parsed, actor)))) throw notFound(id);
  if (parsed.json) write(io, { deleted: true, id });
  else io.stdout(`Deleted key ${printable(id)}.\n`);
  return 0;
}

async function updateKey(
  parsed: ParsedCommand,
  { io, keygate, actor }: CommandContext,
): Promise<number> {
  const id = parsed.args[0]!;
  const name = optional(parsed, 'name');
  const scopes = scopesOption(parsed);
  const enable = parsed.values.enable === true;
  const disable = parsed.values.disable === true;
  if (enable && disable) throw new UsageError('give --enable or --disable, not both');
  const expiry = expiryChange(parsed);
  const changes = {
    ...(name === undefined ? {} : { name }),
    ...(expiry === undefined ? {} : { expiresAt: expiry }),
    ...(scopes === undefined ? {} : { scopes }),
    ...(enable ? { enabled: true } : disable ? { enabled: false } : {}),
    ...quotaChanges(parsed),
  };
  if (Object.keys(changes).length === 0) {
    throw new UsageError(
      'keys update needs something to change: --name, --expires-in, --expires-at, --no-expiry, --scopes, --enable, --disable, --rate-limit, --credits or --refill',
    );
  }
  const after = await manage(() => keygate.keys.update(id, changes, guardOf(parsed, actor)));
  if (parsed.json) write(io, { updated: true, record: toApiKeyJson(after) });
  else {
    io.stdout(
      [
        `Updated key ${printable(id)} (${after.prefix}…).`,
        `  name:     ${printable(after.name)}`,
        `  expires:  ${shortTime(after.expiresAt)}`,
        `  scopes:   ${after.scopes.length === 0 ? '(none)' : printable(after.scopes.join(' '))}`,
        `  quotas:   ${quotasOf(after)}`,
        `  status:   ${after.status}`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}

async function rotateKey(
  parsed: ParsedCommand,
  { io, keygate, actor }: CommandContext,
): Promise<number> {
  const id = parsed.args[0]!;
  const graceText = optional(parsed, 'grace');
  const gracePeriodMs = graceText === undefined ? 0 : parseDuration(graceText);
  if (gracePeriodMs === undefined) {
    throw new UsageError(
      `--grace must be a duration such as 0, 15m, 24h or 7d, got ${JSON.stringify(graceText)}`,
    );
  }
  const expiry = expiryChange(parsed);
  const rotated = await manage(() =>
    keygate.keys.rotate(id, {
      gracePeriodMs,
      ...(expiry === undefined ? {} : { expiresAt: expiry }),
      ...guardOf(parsed, actor),
    }),
  );
  if (parsed.json) {
    write(io, {
      key: rotated.key,
      record: toApiKeyJson(rotated.record),
      previous: toApiKeyJson(rotated.previous),
    });
    return 0;
  }
  const oldKey =
    gracePeriodMs === 0
      ? `The old key ${printable(id)} is revoked.`
      : `The old key ${printable(id)} keeps working until ${shortTime(rotated.previous.expiresAt)}.`;
  io.stdout(
    [
      `Rotated "${printable(rotated.record.name)}": the new key has id ${rotated.record.id}.`,
      oldKey,
      '',
      `  ${rotated.key}`,
      '',
      'Store this key now: it is shown only once and cannot be shown again.',
      '',
    ].join('\n'),
  );
  return 0;
}

async function verifyKey(parsed: ParsedCommand, { io, keygate }: CommandContext): Promise<number> {
  const key = (await io.readStdin()).trim();
  if (key === '') {
    throw new UsageError('keys verify reads the key from standard input, and it was empty');
  }
  const result = await keygate.verifier.verify(key);
  if (result.ok) {
    const { context } = result;
    const shown = {
      keyId: context.keyId,
      organisationId: context.organisationId,
      name: context.name,
      prefix: context.prefix,
      environment: context.environment,
      scopes: context.scopes,
      expiresAt: context.expiresAt?.toISOString() ?? null,
    };
    if (parsed.json) write(io, { ok: true, context: shown });
    else {
      io.stdout(
        [
          'valid',
          `  organisation: ${printable(shown.organisationId)}`,
          `  key id:       ${shown.keyId}`,
          `  name:         ${printable(shown.name)}`,
          `  prefix:       ${shown.prefix}`,
          `  environment:  ${shown.environment}`,
          `  scopes:       ${shown.scopes.length === 0 ? '(none)' : shown.scopes.join(' ')}`,
          `  expires:      ${shortTime(context.expiresAt)}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  }
  const { code, detail } = result.error;
  if (parsed.json) write(io, { ok: false, code, detail });
  else io.stdout(`refused: ${code} (${detail})\n`);
  return 1;
}

async function migrate(parsed: ParsedCommand, { io, opened }: CommandContext): Promise<number> {
  const applied = await opened.migrate();
  if (parsed.json) {
    write(io, { store: opened.kind, applied });
  } else if (opened.kind === 'redis') {
    io.stdout(`Redis needs no migration (${opened.displayUrl}).\n`);
  } else if (applied.length === 0) {
    io.stdout(`The key table is up to date (${opened.displayUrl}).\n`);
  } else {
    io.stdout(`Applied ${applied.join(', ')} (${opened.displayUrl}).\n`);
  }
  return 0;
}

function notFound(id: string): CommandFailure {
  return new CommandFailure('api_key_not_found', `no API key with id ${JSON.stringify(id)}`);
}

// --org limits a command to that organisation's keys; another organisation's key is "not found".
// The actor goes with it into the change's audit event.
function guardOf(
  parsed: ParsedCommand,
  actor?: string,
): { organisationId?: string; actor?: string } {
  const organisationId = optional(parsed, 'org');
  return {
    ...(organisationId === undefined ? {} : { organisationId }),
    ...(actor === undefined ? {} : { actor }),
  };
}

async function keyUsage(parsed: ParsedCommand, { io, keygate }: CommandContext): Promise<number> {
  const id = parsed.args[0]!;
  const daysText = optional(parsed, 'days');
  const days = daysText === undefined ? 30 : wholeNumber(daysText, '--days', 1, MAX_USAGE_DAYS);
  const usage = await manage(() => keygate.keys.usage(id, { ...guardOf(parsed), days }));
  if (parsed.json) {
    write(io, usage);
    return 0;
  }
  const total = usage.days.reduce(
    (sum, day) => ({ accepted: sum.accepted + day.accepted, refused: sum.refused + day.refused }),
    { accepted: 0, refused: 0 },
  );
  const width = String(Math.max(total.accepted, total.refused, 8)).length;
  const lines = [
    `Usage of key ${printable(id)}, last ${days} day${days === 1 ? '' : 's'} (UTC):`,
    `  ${'date'.padEnd(10)}  ${'accepted'.padStart(width)}  ${'refused'.padStart(width)}`,
    ...usage.days.map(
      (day) =>
        `  ${day.date}  ${String(day.accepted).padStart(width)}  ${String(day.refused).padStart(width)}`,
    ),
    `  ${'total'.padEnd(10)}  ${String(total.accepted).padStart(width)}  ${String(total.refused).padStart(width)}`,
    '',
  ];
  io.stdout(lines.join('\n'));
  return 0;
}

async function auditLog(parsed: ParsedCommand, { io, keygate }: CommandContext): Promise<number> {
  const organisationId = required(parsed, 'org', 'audit needs --org <organisation id>');
  const keyId = optional(parsed, 'key');
  const sinceText = optional(parsed, 'since');
  let since: Date | undefined;
  if (sinceText !== undefined) {
    const back = parseDuration(sinceText);
    since = back === undefined ? parseIsoDate(sinceText) : new Date(Date.now() - back);
    if (since === undefined) {
      throw new UsageError(
        `--since must be a duration such as 7d or 12h, or an ISO 8601 time, got ${JSON.stringify(sinceText)}`,
      );
    }
  }
  const limitText = optional(parsed, 'limit');
  const limit = limitText === undefined ? 100 : wholeNumber(limitText, '--limit', 1, 1000);
  const page = await keygate.keys.listAuditEvents({
    organisationId,
    limit,
    ...(keyId === undefined ? {} : { keyId }),
    ...(since === undefined ? {} : { since }),
  });
  if (parsed.json) {
    write(io, {
      organisationId,
      events: page.events.map((event) => ({ ...event, at: event.at.toISOString() })),
      nextCursor: page.nextCursor,
    });
    return 0;
  }
  if (page.events.length === 0) {
    io.stdout(`No audit events for organisation ${printable(organisationId)}.\n`);
    return 0;
  }
  const rows = page.events.map((event) => [
    shortTime(event.at),
    event.action,
    printable(event.keyId),
    `${printable(event.keyPrefix)}…`,
    printable(event.actor ?? '-'),
    printable(event.ip ?? '-'),
  ]);
  const header = ['at', 'action', 'key', 'prefix', 'actor', 'ip'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  io.stdout(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  if (page.nextCursor !== null) {
    io.stdout(`(the newest ${limit}; more with --limit or --since)\n`);
  }
  return 0;
}

function wholeNumber(text: string, option: string, min: number, max: number): number {
  const value = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(
      `${option} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

// A key-manager call: its typed errors become the CLI's failures (matched by code, not message).
async function manage<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await asUsage(action);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'api_key_not_found' || code === 'api_key_not_active') {
      throw new CommandFailure(code, (error as Error).message);
    }
    throw error;
  }
}

/** --scopes a,b (or repeated --scope a --scope b): the key's scopes; `undefined` when not given. */
function scopesOption(parsed: ParsedCommand): string[] | undefined {
  const list = optional(parsed, 'scopes');
  const repeated = parsed.values.scope as string[] | undefined;
  if (list === undefined && repeated === undefined) return undefined;
  return [
    ...(repeated ?? []),
    ...(list === undefined
      ? []
      : list
          .split(',')
          .map((scope) => scope.trim())
          .filter(Boolean)),
  ];
}

// --expires-in / --expires-at / --no-expiry: a new expiry, `null` for none, `undefined` to keep it.
function expiryChange(parsed: ParsedCommand): Date | null | undefined {
  const noExpiry = parsed.values['no-expiry'] === true;
  const given = optional(parsed, 'expires-in') ?? optional(parsed, 'expires-at');
  if (noExpiry && given !== undefined) {
    throw new UsageError('give --no-expiry or an expiry, not both');
  }
  if (noExpiry) return null;
  return given === undefined ? undefined : expiryOption(parsed);
}

function expiryOption(parsed: ParsedCommand): Date | null {
  const expiresIn = optional(parsed, 'expires-in');
  const expiresAt = optional(parsed, 'expires-at');
  if (expiresIn !== undefined && expiresAt !== undefined) {
    throw new UsageError('give --expires-in or --expires-at, not both');
  }
  if (expiresIn !== undefined) {
    const ms = parseDuration(expiresIn);
    if (ms === undefined || ms === 0) {
      throw new UsageError(
        `--expires-in must be a duration such as 30d, 12h or 1d12h, got ${JSON.stringify(expiresIn)}`,
      );
    }
    if (ms > MAX_EXPIRY_MS) {
      throw new UsageError(
        `--expires-in ${expiresIn} is too long: at most ${formatDuration(MAX_EXPIRY_MS)} (100 years)`,
      );
    }
    return new Date(Date.now() + ms);
  }
  if (expiresAt !== undefined) {
    // Strict: 2027-02-31 is refused, never read as 3 March.
    const date = parseIsoDate(expiresAt);
    if (date === undefined) {
      throw new UsageError(
        `--expires-at must be a date that exists, in ISO form such as 2026-12-31 or 2026-12-31T23:59:59Z, got ${JSON.stringify(expiresAt)}`,
      );
    }
    if (date.getTime() <= Date.now()) throw new UsageError('--expires-at must be in the future');
    if (date.getTime() - Date.now() > MAX_EXPIRY_MS) {
      throw new UsageError('--expires-at must be within 100 years');
    }
    return date;
  }
  return null;
}

function required(parsed: ParsedCommand, option: string, message: string): string {
  const value = optional(parsed, option);
  if (value === undefined) throw new UsageError(message);
  return value;
}

function optional(parsed: ParsedCommand, option: string): string | undefined {
  const value = parsed.values[option];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`--${option} needs a value`);
  }
  return value;
}

// The key manager refuses bad names, environments and scopes with a typed error (matched by its
// code, never its message): for the CLI those are mistakes on the command line.
async function asUsage<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'invalid_key_input') {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}

function write(io: CliIo, value: unknown): void {
  io.stdout(`${jsonForTerminal(value)}\n`);
}

// --rate-limit 100/1m, --credits 500, --refill 500/1d (a refill needs a balance to refill).
function quotaOptions(parsed: ParsedCommand): {
  rateLimit?: { limit: number; windowMs: number };
  credits?: { remaining: number; refill: { amount: number; intervalMs: number } | null };
} {
  const rateLimit = optional(parsed, 'rate-limit');
  const credits = optional(parsed, 'credits');
  const refill = optional(parsed, 'refill');
  if (refill !== undefined && credits === undefined) {
    throw new UsageError('--refill needs --credits <balance>');
  }
  const balance = credits === undefined ? undefined : creditsValue(credits);
  const every = refill === undefined ? undefined : refillValue(refill);
  return {
    ...(rateLimit === undefined ? {} : { rateLimit: rateLimitValue(rateLimit) }),
    ...(balance === undefined ? {} : { credits: { remaining: balance, refill: every ?? null } }),
  };
}

// keys update: the same flags, each also `none` to remove. --credits alone sets the balance and
// keeps the refill; --refill alone changes the refill and keeps the balance (docs/quotas.md).
function quotaChanges(parsed: ParsedCommand): {
  rateLimit?: { limit: number; windowMs: number } | null;
  credits?: {
    remaining?: number;
    refill?: { amount: number; intervalMs: number } | null;
  } | null;
} {
  const rateLimit = optional(parsed, 'rate-limit');
  const credits = optional(parsed, 'credits');
  const refill = optional(parsed, 'refill');
  const changes: ReturnType<typeof quotaChanges> = {};
  if (rateLimit !== undefined) {
    changes.rateLimit = isNone(rateLimit) ? null : rateLimitValue(rateLimit);
  }
  if (credits !== undefined && isNone(credits)) {
    if (refill !== undefined) {
      throw new UsageError('--credits none stops metering the key: give no --refill with it');
    }
    changes.credits = null;
  } else if (credits !== undefined || refill !== undefined) {
    changes.credits = {
      ...(credits === undefined ? {} : { remaining: creditsValue(credits) }),
      ...(refill === undefined ? {} : { refill: isNone(refill) ? null : refillValue(refill) }),
    };
  }
  return changes;
}

function isNone(text: string): boolean {
  return text.trim().toLowerCase() === 'none';
}

function rateLimitValue(text: string): { limit: number; windowMs: number } {
  const rate = parseRatePerDuration(text);
  if (rate === undefined) {
    throw new UsageError(
      `--rate-limit must be <requests>/<window> such as 100/1m, got ${JSON.stringify(text)}`,
    );
  }
  return { limit: rate.count, windowMs: rate.ms };
}

function creditsValue(text: string): number {
  if (!/^\d{1,13}$/.test(text)) {
    throw new UsageError(
      `--credits must be a whole number such as 500, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

function refillValue(text: string): { amount: number; intervalMs: number } {
  const every = parseRatePerDuration(text);
  if (every === undefined) {
    throw new UsageError(
      `--refill must be <credits>/<interval> such as 500/1d, got ${JSON.stringify(text)}`,
    );
  }
  return { amount: every.count, intervalMs: every.ms };
}
