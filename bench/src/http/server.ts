// Child process: one HTTP server variant on 127.0.0.1 (port chosen by the OS), pinned to a CPU by
// run.ts. argv: <framework> <kind>; env BENCH_KEY: the key the clients send.
import { hash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeygate, type Keygate, MemoryKeyStore } from '@keygate/core';
import { serveParent } from '../children.js';
import { createKeys } from '../core/fixtures.js';
import type { Framework, VariantKind } from './variants.js';

const [framework, kind] = process.argv.slice(2) as [Framework, VariantKind];
const key = process.env.BENCH_KEY ?? '';
const BODY = { hello: 'world' };
/** Keys in the store besides the bench key, so the server is not a one-key toy. */
const OTHER_KEYS = 1_000;

// keygate as an application sets it up (defaults), with the bench key in the store or, for the
// refusing variant, left out (so the same request is refused as `invalid_api_key`).
async function setUpKeygate(): Promise<Keygate> {
  const store = new MemoryKeyStore();
  const keygate = createKeygate({ store });
  await createKeys(keygate, OTHER_KEYS);
  if (kind === 'keygate') {
    // A key made the way an application makes one, then given the bench key's digest: the
    // clients' key was chosen by the parent, the manager makes random ones.
    const { record } = await keygate.keys.create({
      organisationId: 'org_bench',
      name: 'Bench key',
    });
    const digest = keygate.verifier.options.digester.current;
    await store.update(record.id, { hash: digest.digest(key), hashVersion: digest.version });
  }
  return keygate;
}

// The minimal hook: what any verifier that hashes the key must do, written the fastest way each
// framework allows — SHA-256 of the header, one Map lookup, attach a frozen context, else 401.
const minimalContexts = new Map<string, object>([
  [
    hash('sha256', key, 'base64url'),
    Object.freeze({ keyId: 'bench', organisationId: 'org_bench' }),
  ],
]);
const MINIMAL_REFUSAL = JSON.stringify({ code: 'invalid_api_key' });
function minimalLookup(value: string | string[] | undefined): object | undefined {
  return typeof value === 'string'
    ? minimalContexts.get(hash('sha256', value, 'base64url'))
    : undefined;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startFastify(): Promise<number> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  if (kind === 'keygate' || kind === 'keygate-refusing') {
    const { apiKeyAuth } = await import('@keygate/fastify');
    await app.register(apiKeyAuth, { keygate: await setUpKeygate() });
  } else if (kind === 'minimal-hook') {
    app.decorateRequest('apiKey', null);
    app.addHook('onRequest', (request, reply, done) => {
      const context = minimalLookup(request.headers['x-api-key']);
      if (context === undefined) {
        reply.code(401).header('content-type', 'application/json').send(MINIMAL_REFUSAL);
      } else {
        (request as unknown as { apiKey: object }).apiKey = context;
        done();
      }
    });
  } else if (kind === 'bearer-auth') {
    const { default: bearerAuth } = await import('@fastify/bearer-auth');
    await app.register(bearerAuth, { keys: new Set([key]) });
  }
  app.get('/', async () => BODY);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

async function startKoa(): Promise<number> {
  const { default: Koa } = await import('koa');
  const app = new Koa();
  if (kind === 'keygate' || kind === 'keygate-refusing') {
    const { apiKeyAuth } = await import('@keygate/koa');
    app.use(apiKeyAuth({ keygate: await setUpKeygate() }));
  } else if (kind === 'minimal-hook') {
    app.use((ctx, next) => {
      const context = minimalLookup(ctx.req.headers['x-api-key']);
      if (context === undefined) {
        ctx.status = 401;
        ctx.type = 'application/json';
        ctx.body = MINIMAL_REFUSAL;
        return undefined;
      }
      (ctx.state as { apiKey?: object }).apiKey = context;
      return next();
    });
  }
  app.use((ctx) => {
    ctx.body = BODY;
  });
  return listen(createServer(app.callback()));
}

async function startExpress(): Promise<number> {
  const { default: express } = await import('express');
  const app = express();
  if (kind === 'keygate' || kind === 'keygate-refusing') {
    const { apiKeyAuth } = await import('@keygate/express');
    app.use(apiKeyAuth({ keygate: await setUpKeygate() }));
  } else if (kind === 'minimal-hook') {
    // A WeakMap, not `req.apiKey =`: a new own property on Express's request costs ~10k
    // instructions a request (issue 17), and this is the fastest way.
    const contexts = new WeakMap<object, object>();
    app.use((req, res, next) => {
      const context = minimalLookup(req.headers['x-api-key']);
      if (context === undefined) {
        res.status(401).type('application/json').end(MINIMAL_REFUSAL);
      } else {
        contexts.set(req, context);
        next();
      }
    });
  }
  app.get('/', (_request, response) => {
    response.json(BODY);
  });
  return listen(createServer(app));
}

const starters: Record<Framework, () => Promise<number>> = {
  fastify: startFastify,
  koa: startKoa,
  express: startExpress,
};

await serveParent(
  async () => {
    if (key === '') throw new Error('BENCH_KEY is not set');
    return { port: await starters[framework]() };
  },
  {
    // CPU time used so far, in microseconds: read before and after a round, it gives the server's
    // CPU per request, which the load generator's own limit and the neighbours' load do not skew.
    cpu: () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
  },
);
