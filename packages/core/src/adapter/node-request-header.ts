// Reads the key header from a Node request (the shape Express, Koa and Fastify all hand over),
// telling a repeated header from a single one, and removes it so nothing later can log or
// forward it. Plain data in, plain data out: no Node API is used, so core stays portable.

/** The part of Node's `IncomingMessage` this module reads (and, to strip the key, writes). */
export interface NodeRequestHeaders {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaders: string[];
}

/**
 * The key header's value, every value when it was sent more than once, or `undefined`. Node joins
 * a repeated header with ", " and no key contains a comma, so the raw headers are read only when
 * the joined value has one: a single well-formed key costs one property read.
 *
 * @example
 * ```ts
 * const value = takeApiKeyHeader(req, verifier.headerName, true);
 * const result = verifier.verify(value);
 * ```
 */
export function takeApiKeyHeader(
  request: NodeRequestHeaders,
  headerName: string,
  strip: boolean,
): string | string[] | undefined {
  const headers = request.headers;
  const value = headers[headerName];
  if (value === undefined) return undefined;
  const result =
    typeof value === 'string' && value.includes(',')
      ? rawValues(request.rawHeaders, headerName)
      : value;
  if (strip) {
    delete headers[headerName];
    const removed = removeRaw(request.rawHeaders, headerName);
    if (removed > 0) lowerRawHeaderCount(request, removed);
  }
  return result;
}

// Node keeps the number of raw header entries apart from `rawHeaders` (the internal symbol
// `kHeadersCount`) and builds `headersDistinct` by counting to it: with a pair spliced out and the
// count left as it was, reading `req.headersDistinct` later throws a TypeError. The symbol is
// found on the first Node request and kept; objects without it (other runtimes) are left alone.
let headersCount: symbol | undefined;

function lowerRawHeaderCount(request: object, removed: number): void {
  if (headersCount === undefined) {
    headersCount = Object.getOwnPropertySymbols(request).find(
      (symbol) => symbol.description === 'kHeadersCount',
    );
    if (headersCount === undefined) return;
  }
  const counted = request as Record<symbol, unknown>;
  const count = counted[headersCount];
  if (typeof count === 'number') counted[headersCount] = count - removed;
}

function rawValues(rawHeaders: readonly string[], headerName: string): string[] {
  const values: string[] = [];
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length === headerName.length && name.toLowerCase() === headerName) {
      values.push(rawHeaders[index + 1]!);
    }
  }
  return values;
}

// Removes every pair of the header; answers how many entries (names and values) it removed. The
// pairs after a removed one move up in place and the freed tail is popped: `splice` would also
// build an array of what it removed, and setting `length` goes through a slow runtime setter.
function removeRaw(rawHeaders: string[], headerName: string): number {
  const length = rawHeaders.length;
  let kept = 0;
  for (let index = 0; index < length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length === headerName.length && name.toLowerCase() === headerName) continue;
    if (kept !== index) {
      rawHeaders[kept] = name;
      rawHeaders[kept + 1] = rawHeaders[index + 1]!;
    }
    kept += 2;
  }
  for (let index = kept; index < length; index++) rawHeaders.pop();
  return length - kept;
}
