// The headers of a forward-auth check, read in one pass over Node's `rawHeaders`: every header a
// check needs, matched case-insensitively, with the values of a repeated key header kept apart
// (the headers object joins them with ", ") and the first value of a repeated forwarded header.
// One scan of a handful of names, and no lookups of absent headers in the headers object.

/** What a check's headers say. Names are matched case-insensitively. */
export interface CheckHeaders {
  /** The key header's value; every value, in order, when it was sent more than once. */
  readonly key: string | string[] | undefined;
  readonly hasAuthorization: boolean;
  /** `X-Original-URI` (nginx recipe), else `X-Forwarded-Uri` (Caddy, Traefik): first value. */
  readonly forwardedUri: string | undefined;
  /** `X-Original-Method`, else `X-Forwarded-Method`: first value. */
  readonly forwardedMethod: string | undefined;
  /** Whether the proxy asked for the problem in a response header (nginx). */
  readonly wantsProblemHeader: boolean;
}

/** Asked for by nginx, whose `auth_request` drops the body of a refusal. */
export const PROBLEM_HEADER_REQUEST = 'x-keygate-problem-header';

/**
 * Reads the check's headers. `keyHeader` is lower case.
 *
 * @example
 * ```ts
 * readCheckHeaders(['X-Api-Key', key, 'X-Original-URI', '/api/sites'], 'x-api-key');
 * // { key, forwardedUri: '/api/sites', hasAuthorization: false, … }
 * ```
 */
export function readCheckHeaders(rawHeaders: readonly string[], keyHeader: string): CheckHeaders {
  let key: string | string[] | undefined;
  let hasAuthorization = false;
  let originalUri: string | undefined;
  let forwardedUri: string | undefined;
  let originalMethod: string | undefined;
  let forwardedMethod: string | undefined;
  let wantsProblemHeader = false;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const raw = rawHeaders[index]!;
    // The length first: most names match none and are never lower-cased.
    const length = raw.length;
    if (length === keyHeader.length && raw.toLowerCase() === keyHeader) {
      const value = rawHeaders[index + 1]!;
      key = key === undefined ? value : typeof key === 'string' ? [key, value] : [...key, value];
      continue;
    }
    switch (length) {
      case 13:
        if (raw.toLowerCase() === 'authorization') hasAuthorization = true;
        break;
      case 14:
        if (originalUri === undefined && raw.toLowerCase() === 'x-original-uri') {
          originalUri = rawHeaders[index + 1];
        }
        break;
      case 15:
        if (forwardedUri === undefined && raw.toLowerCase() === 'x-forwarded-uri') {
          forwardedUri = rawHeaders[index + 1];
        }
        break;
      case 17:
        if (originalMethod === undefined && raw.toLowerCase() === 'x-original-method') {
          originalMethod = rawHeaders[index + 1];
        }
        break;
      case 18:
        if (forwardedMethod === undefined && raw.toLowerCase() === 'x-forwarded-method') {
          forwardedMethod = rawHeaders[index + 1];
        }
        break;
      case 24:
        if (raw.toLowerCase() === PROBLEM_HEADER_REQUEST) wantsProblemHeader = true;
        break;
    }
  }
  return {
    key,
    hasAuthorization,
    forwardedUri: originalUri ?? forwardedUri,
    forwardedMethod: originalMethod ?? forwardedMethod,
    wantsProblemHeader,
  };
}
