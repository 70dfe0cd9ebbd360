// Serves a Fetch-API handler from node:http: the request becomes a `Request`, the `Response`
// is written back (every Set-Cookie kept). Bodies are capped, so a client cannot fill memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

const MAX_BODY_BYTES = 64 * 1024;

/** A `Request` for a node request, with the URL built from the Host header. */
export async function toFetchRequest(request: IncomingMessage): Promise<Request> {
  const { url, method, headers } = requestLine(request);
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    // Past the cap, stop reading: the handler sees a truncated body and answers 413/400.
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return new Request(url, { method, headers, body: Buffer.concat(chunks) });
}

/**
 * A `Request` whose body streams from the node request, uncapped: for a handler that enforces a
 * limit of its own and must tell an oversized body (413) from a truncated one.
 */
export function toStreamingFetchRequest(request: IncomingMessage): Request {
  const { url, method, headers } = requestLine(request);
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  return new Request(url, {
    method,
    headers,
    body: Readable.toWeb(request) as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
}

// The URL (from the Host header), method and headers of a node request.
function requestLine(request: IncomingMessage): { url: URL; method: string; headers: Headers } {
  const host = request.headers.host ?? '127.0.0.1';
  const url = new URL(request.url ?? '/', `http://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return { url, method: request.method ?? 'GET', headers };
}

/** Writes a `Response` to a node response. */
export async function writeFetchResponse(
  response: Response,
  target: ServerResponse,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = response.body === null ? undefined : Buffer.from(await response.arrayBuffer());
  target.writeHead(response.status, headers);
  target.end(body);
}
