// The HTTP mapping of a refusal (RFC 9457 problem+json, WWW-Authenticate, Retry-After). It lives
// in core so that every adapter sends exactly the same status, headers and body.
import type { ApiKeyError } from './errors.js';
import { quotaHeaders, type RateLimitHeaderStyle } from './quotas/quota-report.js';

/** The RFC 9457 body of a refusal. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The stable error code (`invalid_api_key`, …). */
  readonly code: string;
  /** Present on `insufficient_scope`: the scopes the key lacks. */
  readonly missingScopes?: readonly string[];
}

/** Everything an adapter writes for a refusal: status, headers and the serialised body. */
export interface Problem {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemDetails;
  /** `body` as JSON, ready to send. */
  readonly json: string;
}

/** Options for {@link toProblem}. */
export interface ProblemOptions {
  /** The `realm` of `WWW-Authenticate` (default `api`). */
  readonly realm?: string;
  /** The header clients must send the key in (default `x-api-key`). */
  readonly headerName?: string;
  /** Prefix of the problem `type` URI; the code is appended (default `https://keygate.dev/problems/`). */
  readonly typeBase?: string;
  /** Which rate-limit header fields a quota refusal carries (default `draft`). */
  readonly rateLimitHeaders?: RateLimitHeaderStyle;
}

/** Default prefix of problem type URIs. */
export const DEFAULT_PROBLEM_TYPE_BASE = 'https://keygate.dev/problems/';

/** What a problem body is made of: a coded failure with an HTTP status. */
export interface ProblemSource {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  /** Present on `insufficient_scope`: the scopes the key lacks. */
  readonly missingScopes?: readonly string[];
}

/**
 * Builds the HTTP answer for a refusal. Never includes the key: the body holds the error's
 * code, title and detail only.
 *
 * @example
 * ```ts
 * const problem = toProblem(result.error, { realm: 'sites' });
 * response.writeHead(problem.status, problem.headers).end(problem.json);
 * ```
 */
export function toProblem(error: ApiKeyError, options: ProblemOptions = {}): Problem {
  const headers: Record<string, string> = {};
  if (error.status === 401) {
    const realm = quoted(options.realm ?? 'api');
    const header = quoted(options.headerName ?? 'x-api-key');
    headers['www-authenticate'] = `ApiKey realm=${realm}, header=${header}`;
  }
  if (error.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.quota !== undefined) {
    Object.assign(headers, quotaHeaders(error.quota, options.rateLimitHeaders ?? 'draft'));
  }
  return buildProblem(error, options.typeBase, headers);
}

/**
 * The one builder of problem+json answers: the verifier's refusals, the management handler's
 * problems and the Fetch adapter's responses all come from here, so their bodies and base
 * headers cannot drift apart.
 *
 * @example
 * ```ts
 * const problem = buildProblem(
 *   { code: 'not_found', status: 404, title: 'Not found', detail: 'No such page.' },
 *   undefined,
 * );
 * ```
 */
export function buildProblem(
  source: ProblemSource,
  typeBase: string | undefined,
  extraHeaders: Readonly<Record<string, string>> = {},
): Problem {
  const body: ProblemDetails = {
    type: `${typeBase ?? DEFAULT_PROBLEM_TYPE_BASE}${source.code}`,
    title: source.title,
    status: source.status,
    detail: source.detail,
    code: source.code,
    ...(source.missingScopes === undefined ? {} : { missingScopes: source.missingScopes }),
  };
  return Object.freeze({
    status: source.status,
    headers: Object.freeze({
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      ...extraHeaders,
    }),
    body: Object.freeze(body),
    json: JSON.stringify(body),
  });
}

/**
 * A Fetch `Response` carrying a problem.
 *
 * @example
 * ```ts
 * if (!auth.ok) return problemResponse(keygate.verifier.problem(auth.error));
 * ```
 */
export function problemResponse(problem: Problem): Response {
  // A copy: the problem's headers are frozen and shared, and some runtimes keep the init object
  // and add to it (@hono/node-server sets Content-Length on it).
  return new Response(problem.json, { status: problem.status, headers: { ...problem.headers } });
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
