// The fault suite on Redis (a redis-server of its own, on a spare port, with an append-only file
// so that a killed server comes back with its data): see docs/faults.md for what it asserts.
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, it } from 'vitest';
import { redisBinariesAvailable } from '../redis/support/redis-env.js';
import {
  findFreePort,
  makeTempDir,
  type RedisServer,
  startRedisServer,
  stopRedisServer,
} from '../redis/support/redis-server.js';
import { sleep } from './support/fault-run.js';
import { runFaultSuite } from './support/fault-suite.js';

const available = redisBinariesAvailable('fault suite on Redis');
const DURABLE = ['--appendonly', 'yes', '--appendfsync', 'always'];

describe.skipIf(!available)('keygate under Redis faults', () => {
  const dir = makeTempDir('faults-redis');
  let server: RedisServer | undefined;
  let port = 0;

  afterAll(async () => {
    if (server !== undefined) {
      process.kill(server.pid, 'SIGCONT');
      await stopRedisServer(server);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every promise of docs/faults.md through kills, a stall and a dropped pub/sub', async () => {
    port = await findFreePort();
    server = await startRedisServer(port, dir, DURABLE);
    await runFaultSuite({
      name: 'Redis',
      url: () => `redis://127.0.0.1:${port}`,
      async kill(forMs) {
        await stopRedisServer(server!);
        await sleep(forMs);
        server = await startRedisServer(port, dir, DURABLE);
        return Date.now();
      },
      async stall(forMs) {
        process.kill(server!.pid, 'SIGSTOP');
        await sleep(forMs);
        process.kill(server!.pid, 'SIGCONT');
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
    });
  }, 230_000);
});
