// The gateway only ever reaches its configured upstream: a path that looks like a URL
// ("//host:port/…") or an absolute-form request line ("GET http://host/… HTTP/1.1") is joined to
// the upstream's origin as a path, never followed. And a client that half-closes its side after
// sending the request (as `curl --data … | nc -N` or a raw socket does) still gets its answer.
import type { IncomingHttpHeaders } from 'node:http';
import type { Keygate } from '@keygate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp, type StartedServer } from '../../examples/src/demo/index.js';
import { createGateway, createGatewayServer } from '../../examples/src/gateway/gateway.js';
import { sendRaw } from './http-client.js';
import { testKeygate } from './keygate-fixtures.js';

interface Hit {
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

let keygate: Keygate;
let key: string;
let upstream: StartedServer;
let other: StartedServer;
let gateway: StartedServer;
let basedGateway: StartedServer;
const upstreamHits: Hit[] = [];
const otherHits: Hit[] = [];

function recorder(hits: Hit[], status: number) {
  return listenHttp(
    (req, res) => {
      hits.push({ url: req.url, headers: req.headers });
      req.resume();
      req.on('end', () => res.writeHead(status, { 'content-type': 'text/plain' }).end('hit'));
    },
    '127.0.0.1',
    0,
  );
}

beforeAll(async () => {
  ({ keygate } = testKeygate());
  key = (await keygate.keys.create({ organisationId: 'org_a', name: 'gateway' })).key;
  upstream = await recorder(upstreamHits, 207);
  // The host an attacker would like the gateway to reach ("the admin service next door").
  other = await recorder(otherHits, 299);
  gateway = await listenHttp(
    createGatewayServer(createGateway({ keygate, upstreamUrl: upstream.url })),
    '127.0.0.1',
    0,
  );
  basedGateway = await listenHttp(
    createGatewayServer(createGateway({ keygate, upstreamUrl: `${upstream.url}/base/` })),
    '127.0.0.1',
    0,
  );
});

afterAll(async () => {
  await gateway.close();
  await basedGateway.close();
  await upstream.close();
  await other.close();
  await keygate.close();
});

const otherAuthority = () => new URL(other.url).host;

function request(target: string, extra: readonly string[] = []): string {
  return [`GET ${target} HTTP/1.1`, 'Host: gateway.test', `x-api-key: ${key}`, ...extra].join(
    '\r\n',
  );
}

describe('the gateway reaches only its upstream', () => {
  it.each([
    ['a path that looks like a network-path reference', () => `//${otherAuthority()}/admin`],
    ['a path with a scheme in it', () => `/http://${otherAuthority()}/admin`],
    ['a path with backslashes', () => `/\\\\${otherAuthority()}\\admin`],
  ])('joins %s to the upstream origin', async (_name, target) => {
    upstreamHits.length = 0;
    otherHits.length = 0;
    const answer = await sendRaw(gateway.url, request(target()));
    expect(answer.status).toBe(207);
    expect(otherHits).toEqual([]);
    expect(upstreamHits.map((hit) => hit.url)).toEqual([target()]);
  });

  it('keeps the upstream path prefix in front of a path that looks like a URL', async () => {
    upstreamHits.length = 0;
    otherHits.length = 0;
    const target = `//${otherAuthority()}/admin?x=1`;
    const answer = await sendRaw(basedGateway.url, request(target));
    expect(answer.status).toBe(207);
    expect(otherHits).toEqual([]);
    expect(upstreamHits.map((hit) => hit.url)).toEqual([`/base${target}`]);
  });

  it('forwards an absolute-form request line to the upstream, by its path only', async () => {
    upstreamHits.length = 0;
    otherHits.length = 0;
    const answer = await sendRaw(gateway.url, request(`http://${otherAuthority()}/admin?x=1`));
    expect(answer.status).toBe(207);
    expect(otherHits).toEqual([]);
    expect(upstreamHits.map((hit) => hit.url)).toEqual(['/admin?x=1']);
    // The upstream is told the gateway's idea of the host, not the attacker's.
    expect(upstreamHits[0]!.headers.host).toBe(new URL(upstream.url).host);
  });

  it('refuses a request target it cannot forward, with 400 and no upstream call', async () => {
    upstreamHits.length = 0;
    for (const target of ['*', 'gateway.test:443', 'ftp://elsewhere/x']) {
      const answer = await sendRaw(gateway.url, request(target));
      expect(answer.status, target).toBe(400);
    }
    expect(upstreamHits).toEqual([]);
    expect(otherHits).toEqual([]);
  });
});

describe('the gateway and a client that half-closes', () => {
  it('answers a request whose client ended its side right after sending it', async () => {
    upstreamHits.length = 0;
    // sendRaw ends the socket (FIN) right after the request, then waits for the answer.
    const answer = await sendRaw(gateway.url, request('/api/sites'));
    expect(answer.status).toBe(207);
    expect(answer.text).toContain('hit');
    expect(upstreamHits).toHaveLength(1);
  });
});
