// How the CLI shows keys to people: a plain aligned table and short dates. Scripts use --json.
import type { ApiKeySummary } from '@keygate/core';

/** A key in `--json` output: the listing fields with ISO times, never a digest. */
export interface ApiKeyJson {
  readonly id: string;
  readonly organisationId: string | null;
  readonly name: string;
  readonly prefix: string;
  readonly environment: string;
  readonly scopes: readonly string[];
  readonly status: ApiKeySummary['status'];
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly replacedById: string | null;
}

/** A summary as `--json` prints it. */
export function toApiKeyJson(summary: ApiKeySummary): ApiKeyJson {
  return {
    id: summary.id,
    organisationId: summary.organisationId,
    name: summary.name,
    prefix: summary.prefix,
    environment: summary.environment,
    scopes: summary.scopes,
    status: summary.status,
    createdAt: summary.createdAt.toISOString(),
    lastUsedAt: summary.lastUsedAt?.toISOString() ?? null,
    expiresAt: summary.expiresAt?.toISOString() ?? null,
    revokedAt: summary.revokedAt?.toISOString() ?? null,
    replacedById: summary.replacedById,
  };
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
