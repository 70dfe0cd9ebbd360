// The path a gateway sends upstream: the request target joined to the upstream's path prefix as
// a string. It is never parsed as a URL relative to the upstream, which would let a target like
// "//other-host/admin" choose another host (an open proxy).

/**
 * The upstream path for request target `requestTarget`, or `undefined` when the target is not
 * one the gateway forwards. An origin-form target (`/path?query`) is appended as it is; an
 * absolute-form one (`http://host/path?query`, RFC 9112 section 3.2.2) gives its path and query
 * only, its authority ignored; anything else (`*`, `host:port`, other schemes) is refused.
 *
 * @example
 * ```ts
 * upstreamPath('/base', '//evil:4999/admin'); // '/base//evil:4999/admin'
 * upstreamPath('', 'http://evil/x?y=1'); // '/x?y=1'
 * ```
 */
export function upstreamPath(
  basePath: string,
  requestTarget: string | undefined,
): string | undefined {
  if (requestTarget === undefined || requestTarget === '') return undefined;
  if (requestTarget.startsWith('/')) return basePath + requestTarget;
  const absolute = /^https?:\/\/[^/?#]*/i.exec(requestTarget);
  if (absolute === null) return undefined;
  const rest = requestTarget.slice(absolute[0].length);
  if (rest === '') return `${basePath}/`;
  if (rest.startsWith('?')) return `${basePath}/${rest}`;
  return rest.startsWith('/') ? basePath + rest : undefined;
}
