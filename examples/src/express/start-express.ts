// Starts the Express sites app on a port, for the demo runner, tests and other entry points.
import { listenHttp, type StartFramework } from '../demo/index.js';
import { buildExpressApp } from './app.js';

/**
 * Builds and listens; the answer says where and how to stop.
 *
 * @example
 * ```ts
 * const server = await startExpress({ keygate, sites, host: '127.0.0.1', port: 0 });
 * ```
 */
export const startExpress: StartFramework = ({ keygate, sites, host, port }) =>
  listenHttp(buildExpressApp({ keygate, sites }), host, port);
