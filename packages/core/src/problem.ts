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
  const body: ProblemDetails = {
    type: `${options.typeBase ?? DEFAULT_PROBLEM_TYPE_BASE}${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...('missingScopes' in error
      ? { missingScopes: error.missingScopes as readonly string[] }
      : {}),
  };
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
  };
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
  return Object.freeze({
    status: error.status,
    headers: Object.freeze(headers),
    body: Object.freeze(body),
    json: JSON.stringify(body),
  });
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
