// Instructions per request of each HTTP variant, counted by valgrind's callgrind: the same count
// for the same code whatever the neighbours on this shared 2-core machine do, so a 2% change shows.
// Each server runs alone under callgrind (pinned to CPU 0), not instrumented; after a warm-up,
// instrumentation is switched on for a fixed number of requests from the load generator (CPU 1), then
// dumped, several times; the figure is the median phase's instructions over its requests.
// Main thread only: V8's background compiler settles late under valgrind (see README).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateApiKey } from '@keygate/core';
import { type Child, startChild } from '../children.js';
import { type Spread, spread } from '../statistics.js';
import { LOAD_CPU, SERVER_CPU } from './http-bench.js';
import type { LoadRequest, LoadResult } from './load.js';
import { benchHeaders, expectedStatus, VARIANTS, type Variant, variantName } from './variants.js';

/**
 * A server to count: a child module of bench/src with its arguments, the path it is asked for and
 * the status it answers.
 */
export interface InstructionTarget {
  readonly name: string;
  readonly module: string;
  readonly args: readonly string[];
  readonly path: string;
  readonly expectedStatus: number;
}

/** The HTTP variants as targets (`http/server.ts <framework> <kind>`). */
export function variantTargets(variants: readonly Variant[] = VARIANTS): InstructionTarget[] {
  return variants.map((variant) => ({
    name: variantName(variant),
    module: 'http/server.ts',
    args: [variant.framework, variant.kind],
    path: '/',
    expectedStatus: expectedStatus(variant),
  }));
}

/**
 * `keygate serve` on a cache hit and a bare node:http server answering 200
 * (`serve/forward-auth-server.ts`): what the forward-auth server costs per request.
 */
export const SERVE_TARGETS: readonly InstructionTarget[] = [
  {
    name: 'serve/bare',
    module: 'serve/forward-auth-server.ts',
    args: ['bare'],
    path: '/api/sites',
    expectedStatus: 200,
  },
  {
    name: 'serve/keygate',
    module: 'serve/forward-auth-server.ts',
    args: ['serve'],
    path: '/api/sites',
    expectedStatus: 200,
  },
];

/**
 * Fastify with keygate and no rate limit, the approximate Redis limit with and without its
 * `RateLimit` fields, and the in-memory limit (`quotas/quota-http-server.ts`): what a limit costs
 * per request, apart from the fields it writes.
 */
export const QUOTA_TARGETS: readonly InstructionTarget[] = (
  ['keygate', 'keygate-approximate', 'keygate-approximate-no-fields', 'keygate-memory'] as const
).map((variant) => ({
  name: `quotas/${variant}`,
  module: 'quotas/quota-http-server.ts',
  args: [variant],
  path: '/',
  expectedStatus: 200,
}));

const run = promisify(execFile);

/** How many requests warm a server up and how many each measured phase counts. */
export interface InstructionSettings {
  readonly warmupRequests: number;
  readonly phaseRequests: number;
  readonly phases: number;
}

/** Instructions per request of one variant. */
export interface VariantInstructions {
  readonly name: string;
  /** Main-thread instructions per request: median (min–max) over phases. */
  readonly perRequest: Spread;
  /** All threads (GC helpers, compiler) per request, for reference. */
  readonly allThreadsPerRequest: Spread;
}

/** Whether callgrind is installed (`valgrind` and `callgrind_control` on the PATH). */
export async function hasCallgrind(): Promise<boolean> {
  try {
    await run('valgrind', ['--version']);
    await run('callgrind_control', ['--version']).catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

// Main-thread and all-thread totals of one dump (`--separate-threads=yes` writes one file a thread,
// `…-01` being the main thread).
function readDump(directory: string, pid: number, dump: number): { main: number; all: number } {
  let main = 0;
  let all = 0;
  for (const name of readdirSync(directory)) {
    const match = new RegExp(`^cg\\.${pid}\\.${dump}-(\\d+)$`).exec(name);
    if (match === null) continue;
    const text = readFileSync(join(directory, name), 'utf8');
    const total = Number(/^totals: (\d+)/m.exec(text)?.[1] ?? /^summary: (\d+)/m.exec(text)?.[1]);
    all += total;
    if (Number(match[1]) === 1) main = total;
  }
  return { main, all };
}

/** Counts instructions per request for `targets` (default: every HTTP variant), one at a time. */
export async function runInstructions(
  settings: InstructionSettings,
  log: (line: string) => void,
  targets: readonly InstructionTarget[] = variantTargets(),
): Promise<VariantInstructions[]> {
  // The serve child makes its own key and reports it; the framework servers take this one.
  const key = generateApiKey().key;
  const headers = benchHeaders(key);
  // KEYGATE_CALLGRIND_KEEP=1 keeps the dumps (one per phase and thread) for callgrind_annotate.
  const keep = process.env.KEYGATE_CALLGRIND_KEEP === '1';
  // KEYGATE_CALLGRIND_NODE_FLAGS: flags for the measured servers' node (`--trace-deopt`, say).
  const nodeFlags = (process.env.KEYGATE_CALLGRIND_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const directory = mkdtempSync(join(tmpdir(), 'keygate-callgrind-'));
  const results: VariantInstructions[] = [];
  const load = await startChild('http/load.ts', [], { cpu: LOAD_CPU });
  try {
    for (const target of targets) {
      let server: Child | undefined;
      try {
        server = await startChild(target.module, [...target.args], {
          cpu: SERVER_CPU,
          nodeFlags: nodeFlags,
          env: { BENCH_KEY: key, NODE_ENV: 'production' },
          wrapper: [
            'valgrind',
            '--tool=callgrind',
            // Not instrumented (and so much faster) until a measured phase switches it on.
            '--instr-atstart=no',
            '--dump-instr=no',
            '--separate-threads=yes',
            `--callgrind-out-file=${join(directory, 'cg.%p')}`,
          ],
          startTimeoutMs: 600_000,
        });
        const info = server.info as { port: number; key?: string };
        const url = `http://127.0.0.1:${info.port}${target.path}`;
        const requestHeaders =
          info.key === undefined ? headers : { ...headers, ...benchHeaders(info.key) };
        const send = (amount: number) =>
          load.call<LoadResult>(
            'run',
            {
              tool: 'autocannon',
              url,
              headers: requestHeaders,
              connections: 10,
              seconds: 0,
              amount,
              expectStatus: target.expectedStatus,
            } satisfies LoadRequest,
            600_000,
          );
        // Under valgrind the first requests wait for the JIT: timeouts in the warm-up are expected.
        await send(settings.warmupRequests);
        const control = (...args: string[]) =>
          run('callgrind_control', [...args, String(server!.pid)], { timeout: 60_000 });
        const main: number[] = [];
        const all: number[] = [];
        for (let phase = 1; phase <= settings.phases; phase++) {
          if (nodeFlags.length > 0) process.stdout.write(`--- phase ${phase} starts\n`);
          await control('--zero');
          await control('--instr=on');
          const measured = await send(settings.phaseRequests);
          await control('--instr=off');
          await control('--dump');
          const totals = readDump(directory, server.pid, phase);
          main.push(totals.main / measured.responses);
          all.push(totals.all / measured.responses);
          if (measured.unexpected > 0) throw new Error(`${measured.unexpected} unexpected answers`);
        }
        const figures = {
          name: target.name,
          perRequest: spread(main),
          allThreadsPerRequest: spread(all),
        };
        results.push(figures);
        log(
          `${figures.name}: ${Math.round(figures.perRequest.median)} instructions/request (main thread; phases ${main.map(Math.round).join(', ')}; pid ${server.pid})`,
        );
      } finally {
        await server?.stop();
      }
    }
  } finally {
    await load.stop();
    if (keep) log(`callgrind dumps kept in ${directory}`);
    else rmSync(directory, { recursive: true, force: true });
  }
  return results;
}
