// The reference server's `POST /secret-scanning/github`: GitHub's secret-scanning alerts revoke
// (or flag) leaked keys. Configured by KEYGATE_SECRET_SCANNING (revoke | flag | off) and
// KEYGATE_SECRET_SCANNING_KEYS (GitHub's key list URL by default, another URL, or file:<path>).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Verifier } from '@keygate/core';
import {
  createSecretScanningHandler,
  fetchPublicKeys,
  GITHUB_SECRET_SCANNING_KEYS_URL,
  type LeakReport,
  type PublicKeyProvider,
  type SecretScanningHandler,
} from '@keygate/core/secret-scanning';

/** Where the alert endpoint is mounted. */
export const SECRET_SCANNING_PATH = '/secret-scanning/github';

/** The endpoint's settings, as read from the environment. */
export interface SecretScanningSettings {
  readonly action: 'revoke' | 'flag' | 'off';
  /** A URL, or `file:<path>` (relative to the server's working directory). */
  readonly keys: string;
}

/** Reads KEYGATE_SECRET_SCANNING and KEYGATE_SECRET_SCANNING_KEYS; throws on a bad value. */
export function secretScanningSettings(
  env: Readonly<Record<string, string | undefined>>,
): SecretScanningSettings {
  const action = env.KEYGATE_SECRET_SCANNING || 'revoke';
  if (action !== 'revoke' && action !== 'flag' && action !== 'off') {
    throw new RangeError(
      `KEYGATE_SECRET_SCANNING must be revoke, flag or off, got ${JSON.stringify(action)}`,
    );
  }
  return { action, keys: env.KEYGATE_SECRET_SCANNING_KEYS || GITHUB_SECRET_SCANNING_KEYS_URL };
}

/**
 * The alert handler for `settings`, or `undefined` when it is off. The key list is read when the
 * first alert arrives (so the server starts without the network) and again for a new identifier.
 */
export function createSecretScanningRoute(
  verifier: Verifier,
  settings: SecretScanningSettings,
  cwd: string,
  options: { readonly minKeyRefreshIntervalMs?: number } = {},
): SecretScanningHandler | undefined {
  if (settings.action === 'off') return undefined;
  return createSecretScanningHandler({
    verifier,
    action: settings.action,
    publicKeys: keyListProvider(settings.keys, cwd),
    ...options,
    onLeak: (report) => console.log(describeLeak(report)),
    onError: (error) =>
      console.error(`secret scanning: ${error instanceof Error ? error.message : String(error)}`),
  });
}

function keyListProvider(source: string, cwd: string): PublicKeyProvider {
  if (source.startsWith('file:')) {
    const path = source.startsWith('file://')
      ? fileURLToPath(source)
      : resolve(cwd, source.slice('file:'.length));
    return async () => JSON.parse(await readFile(path, 'utf8')) as unknown;
  }
  const url = URL.canParse(source) ? new URL(source) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new RangeError(
      `KEYGATE_SECRET_SCANNING_KEYS must be an http(s) URL or file:<path>, got ${JSON.stringify(source)}`,
    );
  }
  const token = process.env.GITHUB_TOKEN;
  return fetchPublicKeys(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

// One line for the operator: the display prefix and ids, never the key.
function describeLeak(report: LeakReport): string {
  const what = report.action === 'revoke' ? 'revoked' : 'flagged (still working)';
  return `secret scanning: key ${report.prefix}… (${report.keyId}, organisation ${report.organisationId ?? '-'}) was reported public${report.source === null ? '' : ` at ${report.source}`}: ${what}`;
}
