// How the CLI shows keys to people: a plain aligned table and short dates. Scripts use --json.
import type { ApiKeySummary } from '@keygate/core';
import { type ManagedApiKey, toManagedApiKey } from '@keygate/core/management';

/** A key in `--json` output: what the management endpoints show, plus its organisation. */
export type ApiKeyJson = ManagedApiKey & { readonly organisationId: string | null };

/** A summary as `--json` prints it: ISO times, never a digest. */
export function toApiKeyJson(summary: ApiKeySummary): ApiKeyJson {
  return { organisationId: summary.organisationId, ...toManagedApiKey(summary) };
}

/** `2026-03-01 14:05 UTC`, or the fallback for no time. */
export function shortTime(date: Date | null, none = 'never'): string {
  if (date === null) return none;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The keys as an aligned text table. */
export function keyTable(keys: readonly ApiKeySummary[]): string {
  const header = ['ID', 'PREFIX', 'NAME', 'CREATED', 'LAST USED', 'EXPIRES', 'STATUS'];
  const rows = keys.map((key) => [
    key.id,
    `${key.prefix}…`,
    key.name,
    shortTime(key.createdAt),
    shortTime(key.lastUsedAt),
    shortTime(key.expiresAt),
    key.replacedById !== null && key.status === 'active' ? 'active (rotated)' : key.status,
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
