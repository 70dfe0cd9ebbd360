// The fault suite's hold on PostgreSQL: a cluster of its own (initdb into a temp folder, run as
// user postgres on a spare port), killed, stalled and resumed by the pids of its processes.
import pg from 'pg';
import { findFreePort } from '../../redis/support/redis-server.js';
import { sleep } from './fault-run.js';
import type { StoreControl } from './fault-suite.js';
import {
  killPostgres,
  removePostgresCluster,
  resumePostgres,
  stallPostgres,
  startPostgresCluster,
} from './postgres-cluster.js';

/** Starts the cluster; `control` acts on it, `remove` stops it for good. */
export async function startPostgresControl(): Promise<{
  control: StoreControl;
  remove(): Promise<void>;
}> {
  const cluster = await startPostgresCluster(await findFreePort());
  const control: StoreControl = {
    name: 'PostgreSQL',
    url: () => cluster.url,
    async kill(forMs) {
      await killPostgres(cluster);
      await sleep(forMs);
      await resumePostgres(cluster);
      return Date.now();
    },
    async stall(forMs) {
      stallPostgres(cluster, true);
      await sleep(forMs);
      stallPostgres(cluster, false);
      return Date.now();
    },
    async dropSubscriptions() {
      const admin = new pg.Client({ connectionString: cluster.url });
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
  };
  return { control, remove: () => removePostgresCluster(cluster) };
}
