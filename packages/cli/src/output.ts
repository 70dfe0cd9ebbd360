// How the CLI shows keys to people: a plain aligned table and short dates. Scripts use --json.
// Whatever a key record holds is printed escaped: a name must not act on the terminal.
import { type ApiKeySummary, escapeUnprintable } from '@keygate/core';
import {
  formatRatePerDuration,
  type ManagedApiKey,
  toManagedApiKey,
} from '@keygate/core/management';

/** A key in `--json` output: what the management endpoints show, plus its organisation. */
export type ApiKeyJson = ManagedApiKey & { readonly organisationId: string | null };

/** A summary as `--json` prints it: ISO times, never a digest. */
export function toApiKeyJson(summary: ApiKeySummary): ApiKeyJson {
  return { organisationId: summary.organisationId, ...toManagedApiKey(summary) };
}

/**
 * Text from a record or the command line, safe to print: controls, line breaks and direction
 * overrides written as escapes (`\x1b`, `\n`, `\u202e`).
 */
export const printable = escapeUnprintable;

// What JSON.stringify leaves raw but a terminal may act on: DEL, C1 controls, separators and
// direction overrides (C0 controls it escapes already).
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `value` as indented JSON with every character a terminal could act on escaped. */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    RAW_IN_JSON,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `2026-03-01 14:05 UTC`, or the fallback for no time. */
export function shortTime(date: Date | null, none = 'never'): string {
  if (date === null) return none;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The keys as an aligned text table. */
export function keyTable(keys: readonly ApiKeySummary[]): string {
  const header = ['ID', 'PREFIX', 'NAME', 'CREATED', 'LAST USED', 'EXPIRES', 'STATUS', 'QUOTAS'];
  const rows = keys.map((key) => [
    printable(key.id),
    `${printable(key.prefix)}…`,
    printable(key.name),
    shortTime(key.createdAt),
    shortTime(key.lastUsedAt),
    shortTime(key.expiresAt),
    key.replacedById !== null && key.status === 'active' ? 'active (rotated)' : key.status,
    quotasOf(key),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A key's quotas in one cell: "100/1m, 499 credits (500/1d)", or "-" for a key without any. */
export function quotasOf(key: ApiKeySummary): string {
  const parts: string[] = [];
  if (key.rateLimit !== null) {
    parts.push(formatRatePerDuration(key.rateLimit.limit, key.rateLimit.windowMs));
  }
  if (key.credits !== null) {
    const refill = key.credits.refill;
    parts.push(
      `${key.credits.remaining} credits${refill === null ? '' : ` (${formatRatePerDuration(refill.amount, refill.intervalMs)})`}`,
    );
  }
  return parts.length === 0 ? '-' : parts.join(', ');
}
