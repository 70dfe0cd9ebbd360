// A TCP proxy on 127.0.0.1 that a test can stall (hold every byte) or cut (drop every connection)
// and then restore, to play a slow or dead database without touching the real server.
import {
  type AddressInfo,
  createServer,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net';

export class StallableProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #held: [Socket, Buffer][] = [];
  #mode: 'open' | 'stalled' | 'cut' = 'open';

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Starts a proxy to `target` on a free port of 127.0.0.1. */
  static async start(target: { host: string; port: number }): Promise<StallableProxy> {
    const proxy = new StallableProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Holds every byte in both directions, on open and new connections: a database that hangs. */
  stall(): void {
    this.#mode = 'stalled';
  }

  /** Drops every connection and every new one: a database that is down. */
  cut(): void {
    this.#mode = 'cut';
    this.#held = [];
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Lets traffic through again; what a stall held is delivered. */
  restore(): void {
    this.#mode = 'open';
    const held = this.#held;
    this.#held = [];
    for (const [to, chunk] of held) if (!to.destroyed) to.write(chunk);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = netConnect(this.#target.port, this.#target.host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#sockets.add(from);
      from.on('data', (chunk: Buffer) => {
        if (this.#mode === 'stalled') this.#held.push([to, chunk]);
        else to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.#sockets.delete(from);
        to.destroy();
      });
    }
  }
}
