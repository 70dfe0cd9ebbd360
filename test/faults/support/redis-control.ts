// The fault suite's hold on Redis: a redis-server of its own on a spare port, with an append-only
// file so that a killed server comes back with its data; killed, stalled and resumed by its pid.
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import {
  findFreePort,
  makeTempDir,
  type RedisServer,
  startRedisServer,
  stopRedisServer,
} from '../../redis/support/redis-server.js';
import { sleep } from './fault-run.js';
import type { StoreControl } from './fault-suite.js';

const DURABLE = ['--appendonly', 'yes', '--appendfsync', 'always'];

/** Starts the server; `control` acts on it, `remove` stops it for good. */
export async function startRedisControl(): Promise<{
  control: StoreControl;
  remove(): Promise<void>;
}> {
  const dir = makeTempDir('faults-redis');
  const port = await findFreePort();
  let server: RedisServer = await startRedisServer(port, dir, DURABLE);
  const control: StoreControl = {
    name: 'Redis',
    url: () => `redis://127.0.0.1:${port}`,
    async kill(forMs) {
      await stopRedisServer(server);
      await sleep(forMs);
      server = await startRedisServer(port, dir, DURABLE);
      return Date.now();
    },
    async stall(forMs) {
      process.kill(server.pid, 'SIGSTOP');
      await sleep(forMs);
      process.kill(server.pid, 'SIGCONT');
      return Date.now();
    },
    async dropSubscriptions() {
      const admin = new Redis(port, '127.0.0.1', { lazyConnect: true });
      await admin.connect();
      try {
        await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      } finally {
        admin.disconnect();
      }
      return Date.now();
    },
  };
  return {
    control,
    async remove() {
      try {
        process.kill(server.pid, 'SIGCONT');
      } catch {
        // already gone
      }
      await stopRedisServer(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
