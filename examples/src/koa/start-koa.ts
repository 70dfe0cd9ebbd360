// Starts the Koa sites app on a port, for the demo runner, tests and other entry points.
import { listenHttp, type StartFramework } from '../demo/index.js';
import { buildKoaApp } from './app.js';

/**
 * Builds and listens; the answer says where and how to stop.
 *
 * @example
 * ```ts
 * const server = await startKoa({ keygate, sites, host: '127.0.0.1', port: 0 });
 * ```
 */
export const startKoa: StartFramework = ({ keygate, sites, host, port }) =>
  listenHttp(buildKoaApp({ keygate, sites }).callback(), host, port);
