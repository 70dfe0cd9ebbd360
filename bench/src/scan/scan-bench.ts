// Child process: how fast `keygate scan` reads text — the key finder on text in memory, and the
// whole scan (directory walk, reads, binary check, finder) on a tree of files in the page cache.
// Started pinned to one CPU by run.ts; answers over IPC.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyFinder, scanPaths } from '@keygate/cli';
import { generateApiKey } from '@keygate/core';
import { serveParent } from '../children.js';
import { type Spread, spread } from '../statistics.js';

/** What the parent asks for. */
export interface ScanRequest {
  readonly rounds: number;
  /** Megabytes of text per round. */
  readonly megabytes: number;
}

/**
 * Throughput in MB (10^6 bytes) of text per second of this process's CPU time (user + system),
 * which is what one core does however busy the machine is; and per second of wall time.
 */
export interface ScanFigures {
  readonly megabytes: number;
  readonly files: number;
  /** KeyFinder over one buffer in memory, per CPU second. */
  readonly finderMBps: Spread;
  /** scanPaths over the tree (what `keygate scan <dir>` does, minus printing), per CPU second. */
  readonly treeMBps: Spread;
  /** The same two per wall-clock second: lower when other processes share the core. */
  readonly finderWallMBps: Spread;
  readonly treeWallMBps: Spread;
  /** Keys found per round over keys planted (must be equal). */
  readonly found: number;
  readonly planted: number;
}

const FILE_BYTES = 32 * 1024;
let directory: string | undefined;

// Source-like lines, with more near misses than real code has: `task_`, `sk_` in words, and
// `ask_live_` / `desk_test_`, which contain a full key prefix (a hit to reject on every 8th line).
const LINES = [
  "import { createTask, task_queue } from './tasks.js';",
  'export async function handler(request: Request): Promise<Response> {',
  "  const ask_live_value = await fetch(base + '/sk_/items?limit=100');",
  "  if (!response.ok) throw new Error('request failed: ' + response.status);",
  '  // The desk_test_fixture holds twenty rows of plain text to scan through.',
  '  return new Response(JSON.stringify({ items, next: cursor ?? null }), { status: 200 });',
  '}',
  '',
];

function makeText(bytes: number, keys: string[]): Buffer {
  const lines: string[] = [];
  let size = 0;
  let index = 0;
  while (size < bytes) {
    // One key in about every 50 KB.
    const line =
      index % 700 === 699
        ? `const apiKey = '${keys[((index / 700) % keys.length) | 0]}';`
        : LINES[index % LINES.length]!;
    lines.push(line);
    size += line.length + 1;
    index++;
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'latin1');
}

function countPlanted(text: Buffer, keys: readonly string[]): number {
  let count = 0;
  for (const key of keys) {
    for (let at = text.indexOf(key); at !== -1; at = text.indexOf(key, at + 1)) count++;
  }
  return count;
}

async function measure(request: ScanRequest): Promise<ScanFigures> {
  const keys = Array.from(
    { length: 16 },
    (_, index) => generateApiKey({ environment: index % 2 === 0 ? 'live' : 'test' }).key,
  );
  const bytes = request.megabytes * 1_000_000;
  const text = makeText(bytes, keys);
  const planted = countPlanted(text, keys);

  // The same text as files of 32 KiB in 40 directories (cut at line ends, so no key is split).
  directory = mkdtempSync(join(tmpdir(), 'keygate-scan-bench-'));
  let files = 0;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + FILE_BYTES);
    if (end < text.length) end = text.indexOf(0x0a, end) + 1 || text.length;
    const folder = join(directory, `d${files % 40}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${files}.ts`), text.subarray(start, end));
    files++;
    start = end;
  }

  const rates = {
    finder: [] as number[],
    tree: [] as number[],
    finderWall: [] as number[],
    treeWall: [] as number[],
  };
  let found = 0;
  for (let round = 0; round < request.rounds + 1; round++) {
    const finderTime = timed();
    const finder = new KeyFinder();
    const inMemory = finder.push(text).length + finder.end().length;
    const finderSeconds = finderTime();
    const treeTime = timed();
    const summary = scanPaths([directory]);
    const treeSeconds = treeTime();
    if (inMemory !== planted || summary.findings.length !== planted) {
      throw new Error(`scan found ${inMemory} / ${summary.findings.length} of ${planted} keys`);
    }
    found = summary.findings.length;
    // The first round warms up the JIT and the page cache.
    if (round === 0) continue;
    const megabytes = text.length / 1e6;
    rates.finder.push(megabytes / finderSeconds.cpu);
    rates.tree.push(megabytes / treeSeconds.cpu);
    rates.finderWall.push(megabytes / finderSeconds.wall);
    rates.treeWall.push(megabytes / treeSeconds.wall);
  }
  return {
    megabytes: text.length / 1e6,
    files,
    finderMBps: spread(rates.finder),
    treeMBps: spread(rates.tree),
    finderWallMBps: spread(rates.finderWall),
    treeWallMBps: spread(rates.treeWall),
    found,
    planted,
  };
}

// Starts a clock; calling the answer gives the CPU seconds (user + system) and wall seconds since.
function timed(): () => { cpu: number; wall: number } {
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  return () => {
    const used = process.cpuUsage(cpu);
    return {
      cpu: (used.user + used.system) / 1e6,
      wall: Number(process.hrtime.bigint() - wall) / 1e9,
    };
  };
}

function cleanUp(): void {
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
}

void serveParent(
  () => ({}),
  {
    measure: async (request: ScanRequest) => {
      try {
        return await measure(request);
      } finally {
        cleanUp();
      }
    },
  },
  cleanUp,
);
