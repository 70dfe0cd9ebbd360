// Starts the Hono sites app on a port with @hono/node-server, for the demo runner and tests.
import { getRequestListener } from '@hono/node-server';
import { listenHttp, type StartFramework } from '../demo/index.js';
import { buildHonoApp } from './app.js';

/**
 * Builds and listens; the answer says where and how to stop.
 *
 * @example
 * ```ts
 * const server = await startHono({ keygate, sites, host: '127.0.0.1', port: 0 });
 * ```
 */
export const startHono: StartFramework = ({ keygate, sites, host, port }) =>
  listenHttp(getRequestListener(buildHonoApp({ keygate, sites }).fetch), host, port);
