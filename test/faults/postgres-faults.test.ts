// The fault suite on PostgreSQL (a cluster of its own: initdb into a temp folder, run as user
// postgres on a spare port): see docs/faults.md for what it asserts.
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { findFreePort } from '../redis/support/redis-server.js';
import { sleep } from './support/fault-run.js';
import { runFaultSuite } from './support/fault-suite.js';
import {
  killPostgres,
  type PostgresCluster,
  postgresBinaries,
  removePostgresCluster,
  resumePostgres,
  stallPostgres,
  startPostgresCluster,
} from './support/postgres-cluster.js';

const available = postgresBinaries() !== undefined;
if (!available) {
  const message = 'fault suite on PostgreSQL: no binaries under /usr/lib/postgresql';
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true, so this fails`);
  console.warn(`\n[skip] ${message}\n`);
}

describe.skipIf(!available)('keygate under PostgreSQL faults', () => {
  let cluster: PostgresCluster | undefined;

  afterAll(async () => {
    if (cluster !== undefined) await removePostgresCluster(cluster);
  });

  it('keeps every promise of docs/faults.md through kills, a stall and a dropped LISTEN', async () => {
    cluster = await startPostgresCluster(await findFreePort());
    const running = cluster;
    await runFaultSuite({
      name: 'PostgreSQL',
      url: () => running.url,
      async kill(forMs) {
        await killPostgres(running);
        await sleep(forMs);
        await resumePostgres(running);
        return Date.now();
      },
      async stall(forMs) {
        stallPostgres(running, true);
        await sleep(forMs);
        stallPostgres(running, false);
        return Date.now();
      },
      async dropSubscriptions() {
        const admin = new pg.Client({ connectionString: running.url });
        await admin.connect();
        try {
          // Only the LISTEN connections of keygate's invalidation channel.
          await admin.query(
            `select pg_terminate_backend(pid) from pg_stat_activity where query like 'LISTEN %'`,
          );
        } finally {
          await admin.end();
        }
        return Date.now();
      },
    });
  }, 230_000);
});
