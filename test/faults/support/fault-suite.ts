// The fault schedule both store files run (docs/faults.md): kill the store for 5, 25 and 60 s,
// stall it for 10 s, drop only its invalidation connection; after each, measure when both
// instances serve again and how fast a revocation reaches both, and check every answer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openKeyStore } from '@keygate/cli';
import { expect } from 'vitest';
import {
  type ReferenceServer,
  startReferenceServer,
} from '../../../examples/src/admin/reference-server.js';
import {
  checkAnswers,
  type FaultFigures,
  FaultLoad,
  figuresOf,
  makeFaultKeys,
  measureRecovery,
  measureRevocation,
  printFigures,
  RECOVERY_LIMIT_MS,
  REVOCATION_LIMIT_MS,
  STORE_TIMEOUT_MS,
  sleep,
} from './fault-run.js';

/** How the suite acts on one store server. Each fault resolves with the time the store is back. */
export interface StoreControl {
  readonly name: string;
  readonly url: () => string;
  kill(forMs: number): Promise<number>;
  stall(forMs: number): Promise<number>;
  dropSubscriptions(): Promise<number>;
}

const FAULTS: readonly [string, (store: StoreControl) => Promise<number>][] = [
  ['kill 5 s', (store) => store.kill(5_000)],
  ['kill 25 s', (store) => store.kill(25_000)],
  ['kill 60 s', (store) => store.kill(60_000)],
  ['SIGSTOP 10 s', (store) => store.stall(10_000)],
  ['drop subscription', (store) => store.dropSubscriptions()],
];

/** Starts two instances on the store, runs every fault under load, checks and prints. */
export async function runFaultSuite(store: StoreControl): Promise<void> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const folders: string[] = [];
  const servers: ReferenceServer[] = [];
  let load: FaultLoad | undefined;
  try {
    for (let index = 0; index < 2; index++) {
      const cwd = mkdtempSync(join(tmpdir(), 'keygate-faults-server-'));
      folders.push(cwd);
      servers.push(
        await startReferenceServer({
          storeUrl: store.url(),
          port: 0,
          host: '127.0.0.1',
          storeTimeoutMs: STORE_TIMEOUT_MS,
          lastUsedFlushMs: 300,
          env: {},
          cwd,
        }),
      );
    }
    const keys = await makeFaultKeys(servers[0]!, FAULTS.length);
    load = new FaultLoad(
      servers.map((server) => server.url),
      keys,
    );
    await sleep(1_000);
    const rssAtStart = process.memoryUsage().rss;
    const lastUsedSeen = new Map<string, number>();
    const figures: FaultFigures[] = [];
    checkAnswers(load.answers, 'warm-up');

    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    for (const [fault, apply] of FAULTS) {
      load.fault = fault;
      lag.reset();
      const returnedAt = await apply(store);
      const recoveryMs = await measureRecovery(load, returnedAt);
      const revocationMs = await measureRevocation(load, (id) =>
        servers[0]!.keygate.keys.revoke(id),
      );
      await sleep(300);
      load.fault = `after ${fault}`;
      await sleep(700);
      const lagMs = Math.round(lag.max / 1e6);
      figures.push(figuresOf(load.answers, fault, recoveryMs, revocationMs, lagMs));
      checkAnswers(load.answers, fault, lagMs);
      checkAnswers(load.answers, `after ${fault}`, lagMs);
      for (const ms of recoveryMs)
        expect(ms, `${fault}: back after`).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
      for (const ms of revocationMs) {
        expect(ms, `${fault}: revocation refused after`).toBeLessThanOrEqual(REVOCATION_LIMIT_MS);
      }
      // Last-used times never move backwards, whatever the store went through.
      for (const { id } of keys.valid) {
        const time = (await servers[0]!.keygate.keys.get(id))?.lastUsedAt?.getTime() ?? 0;
        expect(time, `${fault}: last-used of ${id}`).toBeGreaterThanOrEqual(
          lastUsedSeen.get(id) ?? 0,
        );
        lastUsedSeen.set(id, time);
      }
    }
    lag.disable();
    await load.stop();
    const rssGrowthMb = (process.memoryUsage().rss - rssAtStart) / 1_048_576;
    for (const server of servers.splice(0)) await server.close();

    // Not lost: after the instances closed (and flushed), every key that was served has a
    // last-used time at least as recent as its first use.
    const firstUse = new Map<number, number>();
    for (const answer of load.answers) {
      if (answer.kind === 'valid' && answer.status === 404 && !firstUse.has(answer.keyIndex)) {
        firstUse.set(answer.keyIndex, answer.at);
      }
    }
    const opened = await openKeyStore(store.url());
    try {
      for (const [index, at] of firstUse) {
        const record = await opened.store.findById(keys.valid[index]!.id);
        expect(record?.lastUsedAt, `last-used of load key ${index}`).toBeInstanceOf(Date);
        expect(record!.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(at - 1_000);
      }
    } finally {
      await opened.close();
    }
    printFigures(
      store.name,
      figures,
      `${load.answers.length} answers in all; RSS growth ${rssGrowthMb.toFixed(1)} MB; ${unhandled.length} unhandled rejections`,
    );
    expect(rssGrowthMb, 'RSS growth over the run').toBeLessThan(150);
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await load?.stop();
    for (const server of servers) await server.close().catch(() => {});
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
}
