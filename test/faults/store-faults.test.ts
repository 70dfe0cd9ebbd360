// The fault suite (docs/faults.md): Redis and PostgreSQL, each on a server of its own, each under
// two reference-server instances and a steady load, faulted side by side so that the whole suite
// takes about as long as one store's schedule (~2.5 minutes).
import { afterAll, describe, it } from 'vitest';
import { redisBinariesAvailable } from '../redis/support/redis-env.js';
import { runFaultSuite } from './support/fault-suite.js';
import { postgresBinaries } from './support/postgres-cluster.js';
import { startPostgresControl } from './support/postgres-control.js';
import { startRedisControl } from './support/redis-control.js';

const redis = redisBinariesAvailable('fault suite on Redis');
const postgres = postgresBinaries() !== undefined;
if (!postgres) {
  const message = 'fault suite on PostgreSQL: no binaries under /usr/lib/postgresql';
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true, so this fails`);
  console.warn(`\n[skip] ${message}\n`);
}

describe.skipIf(!redis && !postgres)('keygate under store faults', () => {
  const removals: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const remove of removals) await remove().catch(() => {});
  });

  it('keeps every promise of docs/faults.md through kills, stalls and dropped subscriptions', async () => {
    const starts = [
      ...(redis ? [startRedisControl()] : []),
      ...(postgres ? [startPostgresControl()] : []),
    ];
    const stores = await Promise.all(starts);
    for (const store of stores) removals.push(store.remove);
    const outcomes = await Promise.allSettled(stores.map((store) => runFaultSuite(store.control)));
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  }, 235_000);
});
