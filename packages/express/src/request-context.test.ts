// How apiKeyAuth() attaches the context: `req.apiKey` reads it without an own property on the
// request, in the app, in a mounted sub-app and back in the parent after it, on Express 4 and 5;
// code that assigns `req.apiKey` itself still can.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeygate, MemoryKeyStore } from '@keygate/core';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAuth, getApiKey } from './index.js';

const keygate = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
let key: string;
beforeAll(async () => {
  ({ key } = await keygate.keys.create({ organisationId: 'org_a', name: 'attach' }));
});
afterAll(() => keygate.close());

async function get(listener: RequestListener, path: string): Promise<unknown> {
  const server = createServer(listener).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { 'x-api-key': key },
    });
    return await response.json();
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

describe.each([
  ['Express 5', express5 as unknown as typeof express4],
  ['Express 4', express4],
])('%s', (_name, express) => {
  it('answers req.apiKey without an own property on the request', async () => {
    const app = express();
    app.use(apiKeyAuth({ keygate }));
    app.get('/', (req, res) => {
      res.json({ org: getApiKey(req).organisationId, own: Object.hasOwn(req, 'apiKey') });
    });
    expect(await get(app, '/')).toEqual({ org: 'org_a', own: false });
  });

  it('holds in a mounted sub-app and in the parent after it', async () => {
    const parent = express();
    const child = express();
    child.use(apiKeyAuth({ keygate }));
    child.get('/child', (req, res) => {
      res.json({ org: getApiKey(req).organisationId });
    });
    child.use((_req, _res, next) => next());
    parent.use('/sub', child);
    parent.get('/sub/after', (req, res) => {
      res.json({ org: req.apiKey?.organisationId ?? null });
    });
    expect(await get(parent, '/sub/child')).toEqual({ org: 'org_a' });
    expect(await get(parent, '/sub/after')).toEqual({ org: 'org_a' });
  });

  it('lets code assign req.apiKey itself', async () => {
    const app = express();
    app.use(apiKeyAuth({ keygate }));
    app.use((req, _res, next) => {
      req.apiKey = { ...getApiKey(req), name: 'replaced' };
      next();
    });
    app.get('/', (req, res) => {
      res.json({ name: getApiKey(req).name });
    });
    expect(await get(app, '/')).toEqual({ name: 'replaced' });
  });
});
