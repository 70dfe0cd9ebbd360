// One small app per framework and major version, all with the same routes, so that one contract
// suite can run over every adapter: /whoami (any key), /scoped (needs sites:write).
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { AuthContext } from '@keygate/core';
import {
  createFetchAuthenticator,
  type FetchAuthenticator,
  headersWithoutApiKey,
} from '@keygate/core/fetch';
import * as expressAdapter from '@keygate/express';
import * as fastifyAdapter from '@keygate/fastify';
import * as honoAdapter from '@keygate/hono';
import * as koaAdapter from '@keygate/koa';
import express5 from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa3 from 'koa';
import Koa2 from 'koa2';

/** Options the adapters share. */
export type AuthOptions = expressAdapter.ApiKeyAuthOptions;

/** A running test app. */
export interface TestApp {
  readonly url: string;
  /** How many times a route handler ran. */
  readonly handled: () => number;
  /** Errors that reached the framework's error handling (answered with 500). */
  readonly errors: unknown[];
  close(): Promise<void>;
}

/** A framework under test. */
export interface Framework {
  readonly name: string;
  start(auth: AuthOptions): Promise<TestApp>;
}

/** What /whoami answers: the context, and whether the key header is still on the request. */
function whoami(context: AuthContext, request: IncomingMessage, headerName: string) {
  return {
    organisationId: context.organisationId,
    keyId: context.keyId,
    scopes: context.scopes,
    headerAfterAuth: request.headers[headerName] ?? null,
    rawHeaderAfterAuth: request.rawHeaders.some((name) => name.toLowerCase() === headerName),
  };
}

const INTERNAL = JSON.stringify({ error: 'internal' });

function expressFramework(name: string, create: typeof express5): Framework {
  return {
    name,
    async start(auth) {
      let handled = 0;
      const errors: unknown[] = [];
      const headerName = (auth.verifier ?? auth.keygate!.verifier).headerName;
      const app = create();
      app.disable('x-powered-by');
      app.use(expressAdapter.apiKeyAuth(auth));
      app.get('/whoami', (req, res) => {
        handled++;
        res.json(whoami(expressAdapter.getApiKey(req), req, headerName));
      });
      app.get('/scoped', expressAdapter.requireScopes('sites:write'), (_req, res) => {
        handled++;
        res.json({ ok: true });
      });
      app.use(
        (error: unknown, _req: unknown, res: express5.Response, _next: express5.NextFunction) => {
          errors.push(error);
          res.status(500).type('application/json').end(INTERNAL);
        },
      );
      return listenTestApp(app, () => handled, errors);
    },
  };
}

function koaFramework(name: string, KoaClass: typeof Koa3): Framework {
  return {
    name,
    async start(auth) {
      let handled = 0;
      const errors: unknown[] = [];
      const headerName = (auth.verifier ?? auth.keygate!.verifier).headerName;
      const app = new KoaClass();
      const guard = koaAdapter.requireScopes('sites:write');
      app.use(async (ctx, next) => {
        try {
          await next();
        } catch (error) {
          errors.push(error);
          ctx.status = 500;
          ctx.type = 'application/json';
          ctx.body = INTERNAL;
        }
      });
      app.use(koaAdapter.apiKeyAuth(auth));
      app.use(async (ctx, next) => {
        if (ctx.path === '/whoami') {
          handled++;
          ctx.body = whoami(koaAdapter.getApiKey(ctx), ctx.req, headerName);
        } else if (ctx.path === '/scoped') {
          await guard(ctx, async () => {
            handled++;
            ctx.body = { ok: true };
          });
        } else {
          await next();
        }
      });
      return listenTestApp(app.callback(), () => handled, errors);
    },
  };
}

const fastifyFramework: Framework = {
  name: 'fastify 5',
  async start(auth) {
    let handled = 0;
    const errors: unknown[] = [];
    const headerName = (auth.verifier ?? auth.keygate!.verifier).headerName;
    const app = Fastify();
    app.setErrorHandler((error, _request, reply) => {
      errors.push(error);
      return reply.code(500).type('application/json').send(INTERNAL);
    });
    await app.register(fastifyAdapter.apiKeyAuth, auth);
    app.get('/whoami', async (request) => {
      handled++;
      return whoami(fastifyAdapter.getApiKey(request), request.raw, headerName);
    });
    app.get('/scoped', { onRequest: fastifyAdapter.requireScopes('sites:write') }, async () => {
      handled++;
      return { ok: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      handled: () => handled,
      errors,
      close: () => app.close(),
    };
  },
};

// Hono on @hono/node-server: the key header is looked for where a Hono handler sees the request,
// its Fetch headers.
const honoFramework: Framework = {
  name: 'hono 4',
  async start(auth) {
    let handled = 0;
    const errors: unknown[] = [];
    const headerName = (auth.verifier ?? auth.keygate!.verifier).headerName;
    const app = new Hono<honoAdapter.ApiKeyEnv>();
    app.onError((error, c) => {
      errors.push(error);
      return c.body(INTERNAL, 500, { 'content-type': 'application/json' });
    });
    app.use(honoAdapter.apiKeyAuth(auth));
    app.get('/whoami', (c) => {
      handled++;
      const context = honoAdapter.getApiKey(c);
      return c.json({
        organisationId: context.organisationId,
        keyId: context.keyId,
        scopes: context.scopes,
        headerAfterAuth: c.req.header(headerName) ?? null,
        rawHeaderAfterAuth: c.req.raw.headers.has(headerName),
      });
    });
    app.get('/scoped', honoAdapter.requireScopes('sites:write'), (c) => {
      handled++;
      return c.json({ ok: true });
    });
    return listenTestApp(getRequestListener(app.fetch), () => handled, errors);
  },
};

// The Fetch authenticator of @keygate/core/fetch, as a hand-written Fetch server uses it (served
// on Node by @hono/node-server): one authenticator per route, the route handed the headers
// without the key (`headersWithoutApiKey`), unless stripHeader is false. One documented
// difference from the Node adapters: Fetch's `Headers` has already joined repeated headers with
// ", ", so a single header holding "a, b" reads as two headers (see contract.test.ts).
const fetchFramework: Framework = {
  name: 'fetch',
  async start(auth) {
    let handled = 0;
    const errors: unknown[] = [];
    const verifier = auth.verifier ?? auth.keygate!.verifier;
    const options = {
      ...(auth.requiredScopes === undefined ? {} : { requiredScopes: auth.requiredScopes }),
      ...(auth.cost === undefined ? {} : { cost: auth.cost }),
    };
    const routes = new Map<string, FetchAuthenticator>([
      ['/whoami', createFetchAuthenticator(verifier, options)],
      [
        '/scoped',
        createFetchAuthenticator(verifier, {
          ...options,
          requiredScopes: [...(auth.requiredScopes ?? []), 'sites:write'],
        }),
      ],
    ]);
    const handle = async (request: Request): Promise<Response> => {
      const path = new URL(request.url).pathname;
      const authenticate = routes.get(path);
      if (authenticate === undefined) return new Response(null, { status: 404 });
      const result = await authenticate(request);
      if (!result.ok) return result.response;
      handled++;
      const headers =
        auth.stripHeader === false
          ? request.headers
          : headersWithoutApiKey(request.headers, verifier.headerName);
      const body =
        path === '/scoped'
          ? { ok: true }
          : {
              organisationId: result.context.organisationId,
              keyId: result.context.keyId,
              scopes: result.context.scopes,
              headerAfterAuth: headers.get(verifier.headerName),
              rawHeaderAfterAuth: headers.has(verifier.headerName),
            };
      return Response.json(body, { headers: result.headers ?? {} });
    };
    const fetch = (request: Request) =>
      handle(request).catch((error: unknown) => {
        errors.push(error);
        return new Response(INTERNAL, {
          status: 500,
          headers: { 'content-type': 'application/json' },
        });
      });
    return listenTestApp(getRequestListener(fetch), () => handled, errors);
  },
};

/** Serves a request listener on 127.0.0.1:0 as a {@link TestApp}. */
export async function listenTestApp(
  handler: RequestListener,
  handled: () => number,
  errors: unknown[],
): Promise<TestApp> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    handled,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every adapter and framework version under test. */
export const FRAMEWORKS: readonly Framework[] = [
  expressFramework('express 4', express4),
  expressFramework('express 5', express5),
  koaFramework('koa 2', Koa2),
  koaFramework('koa 3', Koa3),
  fastifyFramework,
  honoFramework,
  fetchFramework,
];
