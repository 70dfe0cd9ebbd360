// Type tests (checked by tsc): each adapter types the context on its framework's request.
import type { AuthContext, Keygate } from '@keygate/core';
import * as expressAdapter from '@keygate/express';
import * as fastifyAdapter from '@keygate/fastify';
import * as honoAdapter from '@keygate/hono';
import * as koaAdapter from '@keygate/koa';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { expectTypeOf } from 'vitest';

declare const keygate: Keygate;

// Express: req.apiKey on every request, possibly undefined; getApiKey narrows it.
const app = express();
app.use(expressAdapter.apiKeyAuth({ keygate }));
app.get('/', expressAdapter.requireScopes('sites:read'), (req, res) => {
  expectTypeOf(req.apiKey).toEqualTypeOf<AuthContext | undefined>();
  expectTypeOf(expressAdapter.getApiKey(req)).toEqualTypeOf<AuthContext>();
  expectTypeOf(expressAdapter.getApiKey(req).organisationId).toBeString();
  res.end();
});
expectTypeOf(expressAdapter.apiKeyAuth)
  .parameter(0)
  .toEqualTypeOf<expressAdapter.ApiKeyAuthOptions>();
// @ts-expect-error stripHeader is a boolean
expressAdapter.apiKeyAuth({ keygate, stripHeader: 'no' });

// Koa: ctx.state.apiKey in the default state and in typed state.
const koa = new Koa();
koa.use(koaAdapter.apiKeyAuth({ verifier: keygate.verifier }));
koa.use((ctx) => {
  expectTypeOf(ctx.state.apiKey).toEqualTypeOf<AuthContext | undefined>();
  expectTypeOf(koaAdapter.getApiKey(ctx)).toEqualTypeOf<AuthContext>();
});
const typedKoa = new Koa<koaAdapter.ApiKeyState & { requestId: string }>();
typedKoa.use(koaAdapter.apiKeyAuth({ keygate }));
typedKoa.use(koaAdapter.requireScopes('sites:write'));
typedKoa.use((ctx) => {
  expectTypeOf(ctx.state.apiKey).toEqualTypeOf<AuthContext | undefined>();
  expectTypeOf(ctx.state.requestId).toBeString();
});

// Fastify: request.apiKey is decorated (null until the plugin ran); the guard fits route hooks.
const fastify = Fastify();
fastify.register(fastifyAdapter.apiKeyAuth, { keygate, requiredScopes: ['a'] });
// @ts-expect-error requiredScopes is a list
fastify.register(fastifyAdapter.apiKeyAuth, { keygate, requiredScopes: 'a' });
fastify.get('/', { onRequest: fastifyAdapter.requireScopes('a') }, async (request) => {
  expectTypeOf(request.apiKey).toEqualTypeOf<AuthContext | null>();
  expectTypeOf(fastifyAdapter.getApiKey(request)).toEqualTypeOf<AuthContext>();
  return {};
});
fastify.post<{ Body: { name: string } }>(
  '/typed',
  { preHandler: [fastifyAdapter.requireScopes('b')] },
  async (request) => {
    expectTypeOf(request.body.name).toBeString();
    expectTypeOf(request.apiKey).toEqualTypeOf<AuthContext | null>();
    return {};
  },
);

// Hono: c.get('apiKey') and c.var.apiKey typed through the app's Variables (ApiKeyEnv), and
// through the middleware's own env when it is chained on a route.
const hono = new Hono<honoAdapter.ApiKeyEnv>();
hono.use(honoAdapter.apiKeyAuth({ keygate }));
hono.post('/', honoAdapter.requireScopes('sites:write'), (c) => {
  expectTypeOf(c.get('apiKey')).toEqualTypeOf<AuthContext>();
  expectTypeOf(c.var.apiKey.organisationId).toBeString();
  expectTypeOf(honoAdapter.getApiKey(c)).toEqualTypeOf<AuthContext>();
  return c.body(null, 204);
});
new Hono().get('/', honoAdapter.apiKeyAuth({ keygate }), (c) => {
  expectTypeOf(c.get('apiKey')).toEqualTypeOf<AuthContext>();
  return c.body(null, 204);
});
// @ts-expect-error stripHeader is a boolean
honoAdapter.apiKeyAuth({ keygate, stripHeader: 'no' });
