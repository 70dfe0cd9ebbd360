import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeApiKeyHeader } from './node-request-header.js';

// A real Node server: what the request looks like after the key header is taken, as the route
// (or a logger, or a proxy) behind the middleware sees it.
let port: number;
let inspect: (request: IncomingMessage) => unknown;
const server = createServer((request, response) => {
  let body: unknown;
  try {
    body = inspect(request);
  } catch (error) {
    body = { threw: String(error) };
  }
  response.end(JSON.stringify(body));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

// What `seen` sends before the test's own headers, as the raw headers list them.
const SENT_FIRST = ['host', 'test', 'connection', 'close'];

// Sent over a raw socket: fetch would join a repeated header into one line.
async function seen(headers: [string, string][], look: (request: IncomingMessage) => unknown) {
  inspect = look;
  const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.end(`GET / HTTP/1.1\r\nhost: test\r\nconnection: close\r\n${lines}\r\n`);
  });
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

describe('takeApiKeyHeader on a Node request', () => {
  it('strips the key from headers, rawHeaders and headersDistinct, which still reads', async () => {
    const body = await seen(
      [
        ['accept', 'text/plain'],
        ['x-api-key', 'sk_live_secret'],
        ['x-trace', 't1'],
      ],
      (request) => {
        const value = takeApiKeyHeader(request, 'x-api-key', true);
        return {
          value,
          headers: request.headers,
          raw: request.rawHeaders,
          distinct: request.headersDistinct,
        };
      },
    );
    expect(body.value).toBe('sk_live_secret');
    expect(JSON.stringify(body.headers)).not.toContain('sk_live_secret');
    // The other pairs stay, in their order.
    expect(body.raw).toEqual([...SENT_FIRST, 'accept', 'text/plain', 'x-trace', 't1']);
    // Before the count was kept in step, this read threw "Cannot read properties of undefined".
    expect(body.distinct).toMatchObject({ accept: ['text/plain'], 'x-trace': ['t1'] });
    expect(body.distinct['x-api-key']).toBeUndefined();
  });

  it('hands every value of a repeated header and strips them all', async () => {
    const body = await seen(
      [
        ['x-api-key', 'a'],
        ['accept', '*/*'],
        ['X-Api-Key', 'b'],
        ['x-trace', 't1'],
      ],
      (request) => ({
        value: takeApiKeyHeader(request, 'x-api-key', true),
        raw: request.rawHeaders,
        distinct: Object.keys(request.headersDistinct).sort(),
      }),
    );
    expect(body.value).toEqual(['a', 'b']);
    expect(body.raw).toEqual([...SENT_FIRST, 'accept', '*/*', 'x-trace', 't1']);
    expect(body.distinct).not.toContain('x-api-key');
    expect(body.distinct).toContain('accept');
  });

  it('leaves the request as it was when told not to strip', async () => {
    const body = await seen([['x-api-key', 'k']], (request) => ({
      value: takeApiKeyHeader(request, 'x-api-key', false),
      distinct: request.headersDistinct['x-api-key'],
    }));
    expect(body).toEqual({ value: 'k', distinct: ['k'] });
  });
});
