// Loads @keygate/core and an adapter from different builds (one CommonJS, one ESM), serves one
// route behind requireScopes, and prints the statuses it answers: run by dual-package.test.ts.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [coreBuild, adapterName, adapterBuild] = process.argv.slice(2);
const load = (name, build) => (build === 'cjs' ? require(name) : import(name));

const core = await load('@keygate/core', coreBuild);
const adapter = await load(`@keygate/${adapterName}`, adapterBuild);
const keygate = core.createKeygate({ store: new core.MemoryKeyStore(), lastUsed: false });
const create = (scopes) => keygate.keys.create({ organisationId: 'org_1', name: 'Test', scopes });
const { key: writer } = await create(['sites:write']);
const { key: reader } = await create(['sites:read']);

const close = await serve(adapterName, adapter, keygate);
const statuses = {};
for (const [name, key] of Object.entries({ writer, reader })) {
  const response = await fetch(`${close.url}/scoped`, { headers: { 'x-api-key': key } });
  statuses[name] = { status: response.status, body: await response.text() };
}
await close();
await keygate.close?.();
process.stdout.write(JSON.stringify(statuses));

async function serve(name, { apiKeyAuth, requireScopes }, keygate) {
  if (name === 'express') {
    const express = require('express');
    const app = express();
    app.use(apiKeyAuth({ keygate }));
    app.get('/scoped', requireScopes('sites:write'), (_req, res) => res.json({ ok: true }));
    app.use((error, _req, res, _next) => res.status(500).json({ error: String(error) }));
    return listen(app);
  }
  const Fastify = require('fastify');
  const app = Fastify();
  await app.register(apiKeyAuth, { keygate });
  app.get('/scoped', { onRequest: requireScopes('sites:write') }, async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address();
  return Object.assign(() => app.close(), { url: `http://127.0.0.1:${port}` });
}

function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const close = () => new Promise((done) => server.close(done));
      resolve(Object.assign(close, { url: `http://127.0.0.1:${server.address().port}` }));
    });
  });
}
