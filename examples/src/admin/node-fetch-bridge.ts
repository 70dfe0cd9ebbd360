// Serves a Fetch-API handler from node:http: the request becomes a `Request`, the `Response`
// is written back (every Set-Cookie kept). Bodies are capped, so a client cannot fill memory.
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 64 * 1024;

/** A `Request` for a node request, with the URL built from the Host header. */
export async function toFetchRequest(request: IncomingMessage): Promise<Request> {
  const host = request.headers.host ?? '127.0.0.1';
  const url = new URL(request.url ?? '/', `http://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = request.method ?? 'GET';
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
