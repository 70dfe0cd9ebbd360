// The endpoint GitHub's secret-scanning partner programme posts leaked keys to, on the Fetch API:
// checks the alert's signature, acts on every reported key, and answers GitHub's feedback format.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { errorFields } from '../logger.js';
import { readBodyWithin } from '../request-body.js';
import type { Verifier } from '../verifier.js';
import {
  createLeakResponder,
  type LeakAction,
  type LeakAuditSink,
  type LeakOutcome,
  type LeakReport,
} from './leak-responder.js';
import { SecretScanningRequestError, secretScanningProblem } from './problems.js';
import {
  fetchPublicKeys,
  type PublicKeyProvider,
  PublicKeyRing,
  type SecretScanningKeyList,
} from './public-keys.js';
import { verifyEcdsaP256Signature } from './signature.js';

/** Options of {@link createSecretScanningHandler}. */
export interface SecretScanningHandlerOptions {
  /** The application's verifier: its store, format and peppers find keys; its cache is told. */
  readonly verifier: Verifier;
  /** `revoke` (default) or `flag` (record the leak, leave the key working). */
  readonly action?: LeakAction;
  /**
   * GitHub's signing keys: a provider that loads a list in GitHub's format, or the list itself.
   * Default: {@link fetchPublicKeys} from GitHub's published URL.
   */
  readonly publicKeys?: PublicKeyProvider | SecretScanningKeyList;
  /** An unknown key id refetches the list at most this often (default 60,000 ms). */
  readonly minKeyRefreshIntervalMs?: number;
  /** Called once per newly reported live key (never with the key itself). */
  readonly onLeak?: (report: LeakReport) => void | Promise<void>;
  /** The application's audit log: one `leak` event per newly reported live key. */
  readonly audit?: LeakAuditSink;
  /** Larger bodies are refused with 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** More tokens in one alert are refused with 413 (default 1,000). */
  readonly maxTokens?: number;
  /**
   * How the feedback names each token: `hash` (default) sends its SHA-256 (`token_hash`), so
   * the answer never carries a key; `raw` sends it back as `token_raw`.
   */
  readonly feedback?: 'hash' | 'raw';
  /** Prefix of problem `type` URIs (default `https://keygate.dev/problems/`). */
  readonly problemTypeBase?: string;
  /** Told when the store, the key list or `onLeak` fails. Default: an error through the verifier's logger. */
  readonly onError?: (error: unknown) => void;
}

/** Answers one alert. */
export type SecretScanningHandler = (request: Request) => Promise<Response>;

/** One entry of GitHub's feedback answer. */
export interface SecretScanningFeedback {
  readonly token_hash?: string;
  readonly token_raw?: string;
  readonly token_type: string;
  readonly label: 'true_positive' | 'false_positive';
}

/** Default body limit: an alert of 1,000 matches with long URLs fits several times over. */
export const DEFAULT_MAX_ALERT_BYTES = 1024 * 1024;
/** Default number of tokens one alert may report. */
export const DEFAULT_MAX_ALERT_TOKENS = 1000;

const MAX_KEY_IDENTIFIER_LENGTH = 256;
// Store lookups per alert at a time: enough to finish 1,000 tokens well within GitHub's timeout,
// few enough not to crowd out the requests the store serves meanwhile.
const CONCURRENT_LOOKUPS = 8;

/**
 * Builds the handler for `POST /secret-scanning/github`. It authenticates GitHub by the
 * `Github-Public-Key-Identifier` and `Github-Public-Key-Signature` headers (ECDSA P-256 over
 * SHA-256 of the raw body) and acts on nothing before the signature checks out. Each reported
 * token that is a live key of this application is revoked (or flagged), gets `leakedAt` and the
 * source URL, and `onLeak` is called; reporting it again changes nothing. The answer labels each
 * token `true_positive` (a live key) or `false_positive`.
 *
 * @example
 * ```ts
 * const handle = createSecretScanningHandler({ verifier: keygate.verifier, onLeak: notifyOwner });
 * // in the route for POST /secret-scanning/github (no other authentication):
 * return handle(request);
 * ```
 */
export function createSecretScanningHandler(
  options: SecretScanningHandlerOptions,
): SecretScanningHandler {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('@keygate/core: createSecretScanningHandler needs { verifier }');
  }
  const maxBodyBytes = positiveInteger(
    options.maxBodyBytes,
    DEFAULT_MAX_ALERT_BYTES,
    'maxBodyBytes',
  );
  const maxTokens = positiveInteger(options.maxTokens, DEFAULT_MAX_ALERT_TOKENS, 'maxTokens');
  const feedback = options.feedback ?? 'hash';
  if (feedback !== 'hash' && feedback !== 'raw') {
    throw new TypeError(`@keygate/core: feedback must be 'hash' or 'raw', got ${String(feedback)}`);
  }
  const logger = options.verifier.options.logger;
  const onError =
    options.onError ??
    ((error: unknown) =>
      logger.error(
        errorFields(error),
        `@keygate/core: secret-scanning alert failed: ${error instanceof Error ? error.message : String(error)}`,
      ));
  const responder = createLeakResponder({
    verifier: options.verifier,
    ...(options.action === undefined ? {} : { action: options.action }),
    ...(options.onLeak === undefined ? {} : { onLeak: options.onLeak }),
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    onError,
  });
  const keys = new PublicKeyRing(
    options.publicKeys ?? fetchPublicKeys(),
    options.minKeyRefreshIntervalMs ?? 60_000,
  );

  return async (request) => {
    try {
      if (request.method.toUpperCase() !== 'POST') {
        throw new SecretScanningRequestError('method_not_allowed', 'Alerts are POSTed.');
      }
      const body = await readBody(request, maxBodyBytes);
      await checkSignature(request, body, keys, onError);
      const alerts = parseAlerts(body, maxTokens);
      const outcomes = await reportAll(alerts, responder, onError);
      const answer = alerts.map(
        (alert, index): SecretScanningFeedback => ({
          ...(feedback === 'raw'
            ? { token_raw: alert.token }
            : { token_hash: bytesToHex(sha256(new TextEncoder().encode(alert.token))) }),
          token_type: alert.type,
          label: isLiveKey(outcomes[index]!) ? 'true_positive' : 'false_positive',
        }),
      );
      return new Response(JSON.stringify(answer), {
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    } catch (error) {
      if (error instanceof SecretScanningRequestError) {
        return secretScanningProblem(error, options.problemTypeBase);
      }
      throw error;
    }
  };
}

interface Alert {
  readonly token: string;
  readonly type: string;
  readonly url: string | null;
}

function isLiveKey(outcome: LeakOutcome): boolean {
  return (
    outcome.status === 'revoked' ||
    outcome.status === 'flagged' ||
    outcome.status === 'already_reported'
  );
}

async function readBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const body = await readBodyWithin(request, maxBytes);
  if (body === undefined) throw tooLarge(maxBytes);
  return body;
}

async function checkSignature(
  request: Request,
  body: Uint8Array<ArrayBuffer>,
  keys: PublicKeyRing,
  onError: (error: unknown) => void,
): Promise<void> {
  const identifier = request.headers.get('github-public-key-identifier');
  const signature = request.headers.get('github-public-key-signature');
  if (
    identifier === null ||
    signature === null ||
    identifier === '' ||
    identifier.length > MAX_KEY_IDENTIFIER_LENGTH
  ) {
    throw new SecretScanningRequestError(
      'invalid_signature',
      'Send Github-Public-Key-Identifier and Github-Public-Key-Signature.',
    );
  }
  let lookup: Awaited<ReturnType<PublicKeyRing['find']>>;
  try {
    lookup = await keys.find(identifier);
  } catch (error) {
    onError(error);
    throw new SecretScanningRequestError(
      'public_keys_unavailable',
      'The signing keys could not be loaded; try again shortly.',
    );
  }
  if (!lookup.found) {
    throw new SecretScanningRequestError('invalid_signature', 'Unknown signing key identifier.');
  }
  if (!(await verifyEcdsaP256Signature(lookup.key, signature, body))) {
    throw new SecretScanningRequestError(
      'invalid_signature',
      'The signature does not match the body.',
    );
  }
}

function parseAlerts(body: Uint8Array, maxTokens: number): Alert[] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw invalid('The body must be a JSON array of { token, type, url, source }.');
  }
  if (!Array.isArray(value)) {
    throw invalid('The body must be a JSON array of { token, type, url, source }.');
  }
  if (value.length > maxTokens) {
    throw new SecretScanningRequestError(
      'payload_too_large',
      `An alert may report at most ${maxTokens} tokens.`,
    );
  }
  return value.map((entry, index): Alert => {
    const { token, type, url } = (entry ?? {}) as Record<string, unknown>;
    if (typeof entry !== 'object' || entry === null || typeof token !== 'string') {
      throw invalid(`Entry ${index} needs a string token.`);
    }
    return {
      token,
      type: typeof type === 'string' ? type : '',
      url: typeof url === 'string' && url !== '' ? url : null,
    };
  });
}

// Each distinct token once, a few at a time; a store failure fails the alert (503: GitHub
// delivers it again, and what was already done is not done twice).
async function reportAll(
  alerts: readonly Alert[],
  responder: ReturnType<typeof createLeakResponder>,
  onError: (error: unknown) => void,
): Promise<LeakOutcome[]> {
  const byToken = new Map<string, Promise<LeakOutcome>>();
  const queue = alerts.filter((alert) => {
    if (byToken.has(alert.token)) return false;
    byToken.set(alert.token, Promise.resolve({ status: 'not_a_key' }));
    return true;
  });
  let next = 0;
  const work = async (): Promise<void> => {
    while (next < queue.length) {
      const alert = queue[next++]!;
      const outcome = responder.report(alert.token, { source: alert.url, reporter: 'github' });
      byToken.set(alert.token, outcome);
      await outcome;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_LOOKUPS, queue.length) }, work));
  } catch (error) {
    onError(error);
    throw new SecretScanningRequestError(
      'key_store_unavailable',
      'The key store could not be reached; try again shortly.',
    );
  }
  return Promise.all(alerts.map((alert) => byToken.get(alert.token)!));
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`@keygate/core: ${name} must be a positive whole number`);
  }
  return value;
}

function tooLarge(maxBytes: number): SecretScanningRequestError {
  return new SecretScanningRequestError(
    'payload_too_large',
    `An alert may be at most ${maxBytes} bytes.`,
  );
}

function invalid(detail: string): SecretScanningRequestError {
  return new SecretScanningRequestError('invalid_request', detail);
}
