// Child process: `keygate serve` (over a SQLite file in a temp dir, with one key) or, for
// comparison, a bare node:http server answering 200 with no body. argv: serve | bare.
// Pinned to a CPU by the parent.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKeyStore, startForwardAuthServer } from '@keygate/cli';
import { createKeygate } from '@keygate/core';
import { serveParent } from '../children.js';

const kind = process.argv[2] as 'serve' | 'bare';

async function startServe(): Promise<{ port: number; key: string }> {
  const storeUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'keygate-bench-serve-')), 'keys.db')}`;
  const opened = await openKeyStore(storeUrl);
  const keygate = createKeygate({ store: opened.store, cache: false, lastUsed: false });
  const { key } = await keygate.keys.create({
    organisationId: 'org_bench',
    name: 'Bench key',
    scopes: ['sites:read'],
  });
  await keygate.close();
  await opened.close();
  // TTLs past the run: every measured check is a cache hit, as in steady state.
  const serve = await startForwardAuthServer({
    storeUrl,
    port: 0,
    config: {
      routes: [{ path: '/api', methods: undefined, scopes: ['sites:read'] }],
      headers: {
        organisationId: 'x-keygate-organisation-id',
        keyId: 'x-keygate-key-id',
        environment: 'x-keygate-environment',
        scopes: 'x-keygate-scopes',
      },
      environments: undefined,
      pathPrefix: '',
      cache: { ttlMs: 3_600_000 },
    },
  });
  return { port: Number(new URL(serve.url).port), key };
}

async function startBare(): Promise<{ port: number }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-length': '0' }).end();
  });
  server.keepAliveTimeout = 75_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port };
}

await serveParent(async () => (kind === 'serve' ? startServe() : startBare()), {
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },
});
