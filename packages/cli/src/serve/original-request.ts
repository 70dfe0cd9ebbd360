// Which request a forward-auth check is about. Proxies send the original method and URI in
// headers (nginx: X-Original-Method/-URI as the recipe sets them; Traefik and Caddy:
// X-Forwarded-Method/-Uri) or, like Envoy's ext_authz, as the check's own method and path behind
// a fixed prefix. The path is then made canonical so that "/api/./admin" or "/api%2Fadmin" meets
// the same scope rule as "/api/admin", whatever the upstream makes of it.
import type { CheckHeaders } from './check-headers.js';

/** The original request's method (upper case) and canonical path (no query). */
export interface OriginalRequest {
  readonly method: string;
  readonly path: string;
}

/** The check request itself: its target and method, as Node's `IncomingMessage` has them. */
export interface CheckRequest {
  readonly url?: string | undefined;
  readonly method?: string | undefined;
}

/**
 * Reads the original request of a check. `pathPrefix` ("" for none) marks Envoy-style checks:
 * a check whose own path starts with it carries the original path after it, and forwarded
 * headers are then ignored (a client could have sent them).
 *
 * @example
 * ```ts
 * originalRequest(req, readCheckHeaders(req.rawHeaders, 'x-api-key'), '');
 * // { method: 'POST', path: '/api/sites' } for X-Forwarded-Uri: /api/sites?x=1
 * ```
 */
export function originalRequest(
  request: CheckRequest,
  headers: CheckHeaders,
  pathPrefix: string,
): OriginalRequest {
  const url = request.url ?? '/';
  if (pathPrefix !== '' && isUnder(url, pathPrefix)) {
    return {
      method: request.method ?? 'GET',
      path: canonicalPath(url.slice(pathPrefix.length) || '/'),
    };
  }
  const method = headers.forwardedMethod ?? request.method ?? 'GET';
  return { method: method.toUpperCase(), path: canonicalPath(headers.forwardedUri ?? url) };
}

/** True when `url` is `prefix` itself or lies under it (`/check`, `/check/…`, `/check?…`). */
export function isUnder(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const next = url.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

/**
 * The path of a request target without query or fragment, percent-decoded, with "." and ".."
 * segments resolved and repeated or back slashes collapsed. Most paths need none of it and are
 * returned as they are.
 *
 * @example
 * ```ts
 * canonicalPath('/api//v1/../sites%2F42?x=1'); // '/api/sites/42'
 * ```
 */
export function canonicalPath(target: string): string {
  let path = target;
  const end = firstIndexOfQueryOrFragment(path);
  if (end !== -1) path = path.slice(0, end);
  if (!path.startsWith('/')) {
    // The absolute form (`http://host/path`); anything else is not a path: make it root-relative.
    const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
    path = scheme === null ? `/${path}` : path.slice(scheme[0].length) || '/';
  }
  if (!/%|\/\.|\/\/|\\/.test(path)) return path;
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A broken escape stays as sent: it cannot spell a protected path either.
  }
  const segments: string[] = [];
  for (const segment of decoded.replaceAll('\\', '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = decoded.endsWith('/') && segments.length > 0 ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

function firstIndexOfQueryOrFragment(path: string): number {
  const query = path.indexOf('?');
  const fragment = path.indexOf('#');
  if (query === -1) return fragment;
  return fragment === -1 ? query : Math.min(query, fragment);
}
