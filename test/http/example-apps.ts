// The example sites apps on every framework and major version, started on 127.0.0.1:0.
import type { Keygate } from '@keygate/core';
import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { listenHttp, type StartedServer } from '../../examples/src/demo/index.js';
import { buildExpressApp } from '../../examples/src/express/app.js';
import { startFastify } from '../../examples/src/fastify/start-fastify.js';
import { startHono } from '../../examples/src/hono/start-hono.js';
import { buildKoaApp } from '../../examples/src/koa/app.js';
import type { SitesRepository } from '../../examples/src/sites/index.js';

/** Starts one framework's example app. */
export interface ExampleFramework {
  readonly name: string;
  start(options: {
    keygate: Keygate;
    sites: SitesRepository;
    onError?: (error: unknown) => void;
  }): Promise<StartedServer>;
}

const host = '127.0.0.1';

/** Every framework and version the example runs on. */
export const EXAMPLE_FRAMEWORKS: readonly ExampleFramework[] = [
  {
    name: 'express 4',
    start: (options) => listenHttp(buildExpressApp({ ...options, express: express4 }), host, 0),
  },
  {
    name: 'express 5',
    start: (options) => listenHttp(buildExpressApp({ ...options, express: express5 }), host, 0),
  },
  {
    name: 'koa 2',
    start: (options) => listenHttp(buildKoaApp({ ...options, Koa: Koa2 }).callback(), host, 0),
  },
  {
    name: 'koa 3',
    start: (options) => listenHttp(buildKoaApp({ ...options, Koa: Koa3 }).callback(), host, 0),
  },
  { name: 'fastify 5', start: (options) => startFastify({ ...options, host, port: 0 }) },
  { name: 'hono 4', start: (options) => startHono({ ...options, host, port: 0 }) },
];
