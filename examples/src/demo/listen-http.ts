// Listens with a plain node:http server (for Express and Koa) and closes it completely.
import { createServer, type RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type StartedServer, serverUrl } from './run-demo-server.js';

/**
 * Serves `handler` (or a server built around one) on `host:port` (0 for a free port).
 *
 * @example
 * ```ts
 * const server = await listenHttp(app, '127.0.0.1', 0);
 * console.log(server.url);
 * await server.close();
 * ```
 */
export function listenHttp(
  handler: RequestListener | Server,
  host: string,
  port: number,
): Promise<StartedServer> {
  const server = handler instanceof Server ? handler : createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        url: serverUrl(host, address.port),
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            // Idle keep-alive connections would otherwise hold close() open.
            server.closeAllConnections();
          }),
      });
    });
  });
}
