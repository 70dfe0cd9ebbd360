// Starts the Fastify sites app on a port, for the demo runner, tests and other entry points.
import type { AddressInfo } from 'node:net';
import { type StartFramework, serverUrl } from '../demo/index.js';
import { buildFastifyApp } from './app.js';

/**
 * Builds and listens; the answer says where and how to stop.
 *
 * @example
 * ```ts
 * const server = await startFastify({ keygate, sites, host: '127.0.0.1', port: 0 });
 * ```
 */
export const startFastify: StartFramework = async ({ keygate, sites, host, port }) => {
  const app = buildFastifyApp({ keygate, sites });
  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo;
  return { url: serverUrl(host, address.port), close: () => app.close() };
};
