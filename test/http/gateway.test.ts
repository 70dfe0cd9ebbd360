// The gateway example against a small upstream: it forwards only authenticated requests, with
// the organisation and key id set by itself and the key removed, and streams both bodies.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeygate, type Keygate } from '@keygate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp, type StartedServer } from '../../examples/src/demo/index.js';
import { createGateway } from '../../examples/src/gateway/gateway.js';
import { send, sendRaw } from './http-client.js';
import { failingStore, STORE_FAILURES, testKeygate } from './keygate-fixtures.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  bodyLength: number;
}

let keygate: Keygate;
let key: string;
let keyId: string;
let upstream: StartedServer;
let gateway: StartedServer;
const received: Received[] = [];

beforeAll(async () => {
  ({ keygate } = testKeygate());
  const created = await keygate.keys.create({ organisationId: 'org_a', name: 'gateway' });
  key = created.key;
  keyId = created.record.id;
  // Answers 207 with a header of its own and the request body echoed back.
  upstream = await listenHttp(
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        received.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          bodyLength: body.length,
        });
        res.writeHead(207, { 'x-upstream': 'yes', 'content-type': 'application/octet-stream' });
        res.end(body);
      });
    },
    '127.0.0.1',
    0,
  );
  gateway = await listenHttp(createGateway({ keygate, upstreamUrl: upstream.url }), '127.0.0.1', 0);
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
  await keygate.close();
});

describe('the gateway', () => {
  it('forwards an authenticated request with the organisation and key id, without the key', async () => {
    received.length = 0;
    const answer = await send(`${gateway.url}/api/sites?x=1`, {
      headers: {
        'x-api-key': key,
        // A client cannot choose its organisation: the gateway sets these itself.
        'x-organisation-id': 'org_b',
        'x-api-key-id': 'forged',
      },
    });
    expect(answer.status).toBe(207);
    expect(answer.headers['x-upstream']).toBe('yes');
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('GET');
    expect(request!.url).toBe('/api/sites?x=1');
    expect(request!.headers['x-organisation-id']).toBe('org_a');
    expect(request!.headers['x-api-key-id']).toBe(keyId);
    expect(request!.headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(request!.headers)).not.toContain(key.slice(8));
  });

  it('streams a 1 MiB body to the upstream and back', async () => {
    received.length = 0;
    const body = Buffer.alloc(1024 * 1024, 7);
    const response = await fetch(`${gateway.url}/upload`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/octet-stream' },
      body,
    });
    expect(response.status).toBe(207);
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
    expect(received[0]!.bodyLength).toBe(body.length);
  });

  it.each([
    ['no key', {}, 'missing_api_key'],
    ['a bearer token', { authorization: `Bearer ${key}` }, 'missing_api_key'],
    ['a malformed key', { 'x-api-key': 'sk_live_nope' }, 'malformed_api_key'],
  ])('refuses %s with core problem and never calls the upstream', async (_name, headers, code) => {
    received.length = 0;
    const answer = await send(`${gateway.url}/api/sites`, { headers });
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['www-authenticate']).toBe('ApiKey realm="api", header="x-api-key"');
    expect(answer.json.code).toBe(code);
    expect(received).toEqual([]);
  });

  it('refuses a repeated key header', async () => {
    received.length = 0;
    const answer = await sendRaw(
      gateway.url,
      ['GET / HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `X-Api-Key: ${key}`].join('\r\n'),
    );
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('"code":"malformed_api_key"');
    expect(received).toEqual([]);
  });

  it('fails closed with 503 when the store fails', async () => {
    const broken = createKeygate({
      store: failingStore(STORE_FAILURES.rejects),
      onError: () => {},
    });
    const server = await listenHttp(
      createGateway({ keygate: broken, upstreamUrl: upstream.url }),
      '127.0.0.1',
      0,
    );
    try {
      received.length = 0;
      const answer = await send(server.url, { headers: { 'x-api-key': key } });
      expect(answer.status).toBe(503);
      expect(answer.json.code).toBe('key_store_unavailable');
      expect(received).toEqual([]);
    } finally {
      await server.close();
      await broken.close();
    }
  });

  it('answers 502 when the upstream is down', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const server = await listenHttp(
      createGateway({ keygate, upstreamUrl: `http://127.0.0.1:${port}` }),
      '127.0.0.1',
      0,
    );
    try {
      const answer = await send(server.url, { headers: { 'x-api-key': key } });
      expect(answer.status).toBe(502);
      expect(answer.json.code).toBe('bad_gateway');
    } finally {
      await server.close();
    }
  });
});
