// `keygate scan [paths…]`: finds keygate keys in files (or standard input) and prints where, with
// the display prefix only; exit 1 when it found any, 0 when clean, 2 on a usage error. With
// --revoke it also revokes every found key in the configured store, recording the leak.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createKeygate, type Pepper } from '@keygate/core';
import { createLeakResponder, type LeakOutcome } from '@keygate/core/secret-scanning';
import { type CliIo, cleanMessage, type ParsedCommand } from '../cli.js';
import { CommandFailure, UsageError } from '../cli-errors.js';
import { openKeyStore } from '../open-key-store.js';
import { type Finding, type ScanSummary, scanPaths, scanText } from './scan-paths.js';

/** What `keygate scan --revoke` needs to reach the store. */
export interface ScanSettings {
  readonly storeUrl: string;
  readonly table: string | undefined;
  readonly namespace: string | undefined;
  readonly peppers: readonly Pepper[] | undefined;
}

/** What `--revoke` did with a found key. */
export type RevokeStatus = 'revoked' | 'already_revoked' | 'not_in_store';

/** A finding as `--json` prints it: never the key. */
export interface FindingJson {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly prefix: string;
  readonly environment: string;
  readonly revoke?: RevokeStatus;
}

/**
 * Runs `keygate scan`; returns the exit code (1 when a key was found).
 *
 * @example
 * ```ts
 * const code = await runScan(parsed, io, { storeUrl, table, namespace, peppers });
 * ```
 */
export async function runScan(
  parsed: ParsedCommand,
  io: CliIo,
  settings: ScanSettings,
): Promise<number> {
  const summary = await scan(parsed.args, io);
  const revoked =
    parsed.values.revoke === true && summary.findings.length > 0
      ? await revokeFound(summary.findings, settings)
      : undefined;
  const findings = summary.findings.map(
    (finding, index): FindingJson => ({
      file: finding.file,
      line: finding.line,
      column: finding.column,
      prefix: finding.prefix,
      environment: finding.environment,
      ...(revoked === undefined ? {} : { revoke: revoked[index]! }),
    }),
  );
  if (parsed.json) {
    io.stdout(
      `${JSON.stringify({
        findings,
        filesScanned: summary.filesScanned,
        binaryFilesSkipped: summary.binaryFilesSkipped,
      })}\n`,
    );
  } else {
    for (const finding of findings) io.stdout(`${describe(finding)}\n`);
    io.stderr(`keygate scan: ${tally(summary)}\n`);
  }
  return findings.length > 0 ? 1 : 0;
}

async function scan(paths: readonly string[], io: CliIo): Promise<ScanSummary> {
  if (paths.length === 0) return scanText('-', Buffer.from(await io.readStdin(), 'utf8'));
  try {
    return scanPaths(paths);
  } catch (error) {
    const path = (error as { path?: unknown }).path;
    throw new UsageError(
      `cannot read ${typeof path === 'string' ? path : 'a path'}: ${(error as { code?: string }).code ?? cleanMessage(error)}`,
    );
  }
}

// Each distinct key once, through the same leak responder as GitHub's alerts: revoked, with
// leakedAt and the file as its source.
async function revokeFound(
  findings: readonly Finding[],
  settings: ScanSettings,
): Promise<RevokeStatus[]> {
  let opened: Awaited<ReturnType<typeof openKeyStore>>;
  try {
    opened = await openKeyStore(settings.storeUrl, {
      ...(settings.table === undefined ? {} : { table: settings.table }),
      ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }),
    });
  } catch (error) {
    throw new CommandFailure('store_unavailable', `cannot open the store: ${cleanMessage(error)}`);
  }
  const keygate = createKeygate({
    store: opened.store,
    cache: false,
    lastUsed: false,
    onError: () => {},
    ...(settings.peppers === undefined ? {} : { peppers: settings.peppers }),
  });
  try {
    const responder = createLeakResponder({ verifier: keygate.verifier, action: 'revoke' });
    const byKey = new Map<string, Promise<LeakOutcome>>();
    for (const finding of findings) {
      if (byKey.has(finding.key)) continue;
      const source =
        finding.file === '-'
          ? null
          : `${pathToFileURL(resolve(finding.file)).href}#L${finding.line}`;
      byKey.set(finding.key, responder.report(finding.key, { source, reporter: 'keygate-scan' }));
    }
    const outcomes = await Promise.all(findings.map((finding) => byKey.get(finding.key)!));
    return outcomes.map((outcome) =>
      outcome.status === 'revoked'
        ? 'revoked'
        : outcome.status === 'already_reported' || outcome.status === 'inactive'
          ? 'already_revoked'
          : 'not_in_store',
    );
  } catch (error) {
    throw new CommandFailure('store_unavailable', `cannot revoke: ${cleanMessage(error)}`);
  } finally {
    await keygate.close().catch(() => {});
    await opened.close().catch(() => {});
  }
}

function describe(finding: FindingJson): string {
  const revoke =
    finding.revoke === undefined
      ? ''
      : finding.revoke === 'revoked'
        ? ' (revoked now)'
        : finding.revoke === 'already_revoked'
          ? ' (already revoked)'
          : ' (not in the store)';
  return `${finding.file}:${finding.line}:${finding.column}: ${finding.prefix}… (${finding.environment} key)${revoke}`;
}

function tally(summary: ScanSummary): string {
  const files = `${summary.filesScanned} file${summary.filesScanned === 1 ? '' : 's'}`;
  const binary =
    summary.binaryFilesSkipped === 0 ? '' : `, ${summary.binaryFilesSkipped} binary skipped`;
  const count = summary.findings.length;
  return count === 0
    ? `no keys in ${files}${binary}`
    : `${count} key${count === 1 ? '' : 's'} found in ${files}${binary}; remove ${count === 1 ? 'it' : 'them'} and revoke ${count === 1 ? 'it' : 'them'} (keygate scan --revoke)`;
}
