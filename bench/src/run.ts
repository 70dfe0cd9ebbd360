// `pnpm bench`: what keygate costs, against bare frameworks and peers, as ratios from one run.
// Core figures in a pinned child, HTTP servers and the load generator in pinned children of their
// own, stores in a child each; a markdown report on the terminal and a JSON file in results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIRECTORY, startChild, stopAllChildren, stopChildrenOnExit } from './children.js';
import type { ScaleFigures } from './core/core-bench.js';
import { describeEnvironment } from './environment.js';
import { runHttp, SERVER_CPU } from './http/http-bench.js';
import { quotaCasesOf, runQuotaCases } from './quotas/quota-cases.js';
import { checkTargets, markdownReport } from './report.js';
import type { BenchResults, CoreResults, MemoryFigures, StoreOutcome } from './results.js';
import type { ScanFigures, ScanRequest } from './scan/scan-bench.js';
import { scanTargets } from './scan/scan-report.js';
import { runServeBench, serveTargets } from './serve/serve-bench.js';
import { type BenchSettings, readSettings } from './settings.js';
import { STORE_NAMES } from './stores/connect.js';
import type { StoreFigures, StoreRequest } from './stores/store-bench.js';

/** The whole run must end within this, whatever hangs. */
const RUN_LIMIT_MS = 20 * 60_000;
const started = Date.now();

function log(section: string, line: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[${seconds} s] ${section}: ${line}`);
}

async function runCore(settings: BenchSettings): Promise<CoreResults> {
  const request = { rounds: settings.rounds, roundMs: settings.coreRoundMs };
  const child = await startChild('core/core-bench.ts', [], {
    cpu: SERVER_CPU,
    nodeFlags: ['--max-old-space-size=8192'],
  });
  let hashing: { figures: CoreResults['hashing']; storeLookupsForBadKeys: number };
  const scales: ScaleFigures[] = [];
  try {
    log('core', 'digests, parsing and key generation');
    hashing = await child.call('hashing', request, 120_000);
    for (const size of settings.storeSizes) {
      log('core', `verify() with ${size.toLocaleString('en')} keys in the store`);
      scales.push(await child.call('scale', { ...request, size }, 300_000));
    }
  } finally {
    await child.stop();
  }
  const memory: MemoryFigures[] = [];
  for (const size of settings.memorySizes) {
    log('core', `memory per key with ${size.toLocaleString('en')} keys (--expose-gc)`);
    // A fresh process per size, so that one size's garbage does not count in another's heap.
    const memoryChild = await startChild('core/memory-bench.ts', [], {
      cpu: SERVER_CPU,
      nodeFlags: ['--expose-gc', '--max-old-space-size=8192'],
    });
    try {
      memory.push(await memoryChild.call<MemoryFigures>('measure', { size }, 300_000));
    } finally {
      await memoryChild.stop();
    }
  }
  return {
    hashing: hashing.figures,
    storeLookupsForBadKeys: hashing.storeLookupsForBadKeys,
    scales,
    memory,
  };
}

async function runStores(settings: BenchSettings): Promise<StoreOutcome[]> {
  const outcomes: StoreOutcome[] = [];
  const request: StoreRequest = {
    rounds: settings.rounds,
    sequentialCalls: settings.storeSequentialCalls,
    concurrentMs: settings.storeConcurrentMs,
    inFlight: settings.storeInFlight,
  };
  for (const name of STORE_NAMES) {
    let child: Awaited<ReturnType<typeof startChild>> | undefined;
    try {
      // The client on CPU 1; the database server is not ours to pin.
      child = await startChild('stores/store-bench.ts', [name], {
        cpu: 1,
        startTimeoutMs: 120_000,
      });
      const info = child.info as { skipped?: string; where?: string };
      if (info.skipped !== undefined) {
        log('stores', `skipped ${name}: ${info.skipped}`);
        outcomes.push({ name, skipped: info.skipped });
        continue;
      }
      log('stores', `${name} (${info.where})`);
      const figures = await child.call<StoreFigures>('measure', request, 300_000);
      await child.call('close', {}, 30_000);
      outcomes.push({ name, where: info.where ?? '', ...figures });
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      log('stores', `skipped ${name}: ${reason}`);
      outcomes.push({ name, skipped: reason });
    } finally {
      await child?.stop();
    }
  }
  return outcomes;
}

async function runScan(settings: BenchSettings): Promise<ScanFigures> {
  log('scan', `keygate scan over ${settings.scanMegabytes} MB of text, in memory and as files`);
  const child = await startChild('scan/scan-bench.ts', [], { cpu: SERVER_CPU });
  try {
    const request: ScanRequest = { rounds: settings.rounds, megabytes: settings.scanMegabytes };
    return await child.call<ScanFigures>('measure', request, 300_000);
  } finally {
    await child.stop();
  }
}

async function main(): Promise<void> {
  stopChildrenOnExit();
  const limit = setTimeout(() => {
    console.error(`bench: still running after ${RUN_LIMIT_MS / 60_000} minutes; giving up`);
    process.kill(process.pid, 'SIGTERM');
  }, RUN_LIMIT_MS);
  limit.unref();

  const settings = readSettings(process.argv.slice(2), process.env);
  const environment = describeEnvironment();
  const startedAt = new Date().toISOString();

  // `bench <case> …`: the named quota cases alone (bench/README.md, "Quotas").
  const quotaCases = quotaCasesOf(process.argv.slice(2));
  if (quotaCases.length > 0) {
    log('bench', `${settings.quick ? 'quick' : 'full'} run: ${quotaCases.join(', ')}`);
    const { reports, figures } = await runQuotaCases(
      quotaCases,
      settings,
      process.argv.slice(2),
      log,
    );
    const directory = join(BENCH_DIRECTORY, 'results');
    mkdirSync(directory, { recursive: true });
    const file = join(
      directory,
      `quotas-${startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z')}.json`,
    );
    writeFileSync(
      file,
      `${JSON.stringify({ startedAt, environment, figures, reports }, null, 2)}\n`,
    );
    console.log(
      `\nNode ${environment.node}, ${environment.cpu} × ${environment.cpus}; commit ${environment.commit}\n\n${Object.values(reports).join('\n\n')}\n`,
    );
    console.log(`Results: ${file}`);
    await stopAllChildren();
    return;
  }
  log(
    'bench',
    `${settings.quick ? 'quick' : 'full'} run: ${[...settings.sections].join(', ')}; Node ${environment.node}, ${environment.cpu} × ${environment.cpus}`,
  );

  const core = settings.sections.has('core') ? await runCore(settings) : undefined;
  const http = settings.sections.has('http')
    ? await runHttp(settings, (line) => log('http', line))
    : undefined;
  const stores = settings.sections.has('stores') ? await runStores(settings) : undefined;
  const scan = settings.sections.has('scan') ? await runScan(settings) : undefined;
  const serve = settings.sections.has('serve')
    ? await runServeBench(settings, (line) => log('serve', line))
    : undefined;

  const results: BenchResults = {
    startedAt,
    durationSeconds: (Date.now() - started) / 1000,
    settings: { ...settings, sections: [...settings.sections] },
    environment,
    core,
    http,
    stores,
    scan,
    serve,
    targets: [...checkTargets(core, http, stores), ...scanTargets(scan), ...serveTargets(serve)],
  };
  const directory = join(BENCH_DIRECTORY, 'results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${markdownReport(results)}\n`);
  console.log(`Results: ${file}`);
  await stopAllChildren();
}

main().catch(async (error: unknown) => {
  console.error('bench failed:', error);
  await stopAllChildren();
  process.exit(1);
});
