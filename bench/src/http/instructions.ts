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

/** Counts instructions per request for `variants` (default: every variant), one at a time. */
export async function runInstructions(
  settings: InstructionSettings,
  log: (line: string) => void,
  variants: readonly Variant[] = VARIANTS,
): Promise<VariantInstructions[]> {
  const key = generateApiKey().key;
  const headers = benchHeaders(key);
  const directory = mkdtempSync(join(tmpdir(), 'keygate-callgrind-'));
  const results: VariantInstructions[] = [];
  const load = await startChild('http/load.ts', [], { cpu: LOAD_CPU });
  try {
    for (const variant of variants) {
      let server: Child | undefined;
      try {
        server = await startChild('http/server.ts', [variant.framework, variant.kind], {
          cpu: SERVER_CPU,
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
        const url = `http://127.0.0.1:${(server.info as { port: number }).port}/`;
        const send = (amount: number) =>
          load.call<LoadResult>(
            'run',
            {
              tool: 'autocannon',
              url,
              headers,
              connections: 10,
              seconds: 0,
              amount,
              expectStatus: expectedStatus(variant),
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
          name: variantName(variant),
          perRequest: spread(main),
          allThreadsPerRequest: spread(all),
        };
        results.push(figures);
        log(
          `${figures.name}: ${Math.round(figures.perRequest.median)} instructions/request (main thread; phases ${main.map(Math.round).join(', ')})`,
        );
      } finally {
        await server?.stop();
      }
    }
  } finally {
    await load.stop();
    rmSync(directory, { recursive: true, force: true });
  }
  return results;
}
