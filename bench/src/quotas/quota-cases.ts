// The quota benchmarks (issues 10 and 11), on the parent side: each case by name
// (`pnpm --filter @keygate/bench bench quota-core`), its children pinned as the rest of the bench
// pins them, and a markdown table with the ratio or difference against the baseline measured in
// the same run. See bench/README.md, "Quotas".
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateApiKey } from '@keygate/core';
import { BENCH_DIRECTORY, startChild } from '../children.js';
import { LOAD_CPU, SERVER_CPU } from '../http/http-bench.js';
import type { LoadRequest, LoadResult } from '../http/load.js';
import type { BenchSettings } from '../settings.js';
import { type Spread, spread } from '../statistics.js';
import { STORE_NAMES } from '../stores/connect.js';
import type { RateLimitHitFigures, RefusalBudgetFigures } from './quota-core-bench.js';
import type { CreditStoreName, CreditsFigures } from './quota-credits-bench.js';
import type { QuotaHttpVariant } from './quota-http-server.js';
import type { ApproximateCallsFigures, StrictLatencyFigures } from './quota-redis-bench.js';

/** Every case, in the order `quotas` runs them (all but the callgrind one). */
export const QUOTA_CASES = [
  'quota-core',
  'quota-core-instructions',
  'quota-redis-strict',
  'quota-approximate-calls',
  'quota-approximate-http',
  'quota-credits',
  'refusal-budget',
] as const;
export type QuotaCase = (typeof QUOTA_CASES)[number];

/** The case names among the command line's words (`quotas` is every case); empty when none. */
export function quotaCasesOf(argv: readonly string[]): QuotaCase[] {
  const words = argv.filter((word) => !word.startsWith('-'));
  // `quotas` leaves out the callgrind case: minutes of CPU, run it by name.
  if (words.includes('quotas')) {
    return QUOTA_CASES.filter((name) => name !== 'quota-core-instructions');
  }
  const unknown = words.filter((word) => !(QUOTA_CASES as readonly string[]).includes(word));
  if (unknown.length > 0) {
    throw new TypeError(
      `unknown bench case ${unknown.join(', ')}: use quotas or ${QUOTA_CASES.join(', ')}`,
    );
  }
  return words as QuotaCase[];
}

/** How big each case runs: `--quick` for a smoke run, `--keys=N` for the refusal flood. */
export interface QuotaSizes {
  readonly rounds: number;
  readonly coreRoundMs: number;
  readonly latencyCalls: number;
  readonly pacedSeconds: number;
  readonly creditCalls: number;
  readonly httpRounds: number;
  readonly httpSeconds: number;
  readonly floodKeys: number;
  /** Cache hits of the short and the long callgrind run (their difference is counted). */
  readonly countedCalls: readonly [number, number];
}

export function quotaSizes(settings: BenchSettings, argv: readonly string[]): QuotaSizes {
  const keys = argv.find((word) => word.startsWith('--keys='))?.slice('--keys='.length);
  const floodKeys = keys === undefined ? (settings.quick ? 100_000 : 1_000_000) : Number(keys);
  if (!Number.isSafeInteger(floodKeys) || floodKeys < 1) throw new TypeError('--keys=<count>');
  return settings.quick
    ? {
        rounds: 3,
        coreRoundMs: 120,
        latencyCalls: 500,
        pacedSeconds: 3,
        creditCalls: 300,
        httpRounds: 3,
        httpSeconds: 2,
        floodKeys,
        countedCalls: [2_000, 12_000],
      }
    : {
        rounds: 7,
        coreRoundMs: 400,
        latencyCalls: 3_000,
        pacedSeconds: 10,
        creditCalls: 2_000,
        httpRounds: 7,
        httpSeconds: 3,
        floodKeys,
        countedCalls: [20_000, 120_000],
      };
}

type Log = (line: string) => void;

// Every case's raw figures, for the results file.
const collected: Record<string, unknown> = {};

const ms = (value: number) => `${value.toFixed(3)} ms`;
const range = (value: Spread, format: (value: number) => string) =>
  `${format(value.median)} (${format(value.min)} … ${format(value.max)})`;
const ns = (value: number) => `${value.toFixed(0)} ns`;
const ratio = (value: number) => value.toFixed(3);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, header.map(() => '---'), ...rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
}

/** (a) A cache hit with an in-memory rate limit against the same hit without. Target ≤ +150 ns. */
async function quotaCore(sizes: QuotaSizes, log: Log): Promise<string> {
  log('cache hit with and without an in-memory rate limit, interleaved');
  const child = await startChild('quotas/quota-core-bench.ts', [], { cpu: SERVER_CPU });
  try {
    const figures = await child.call<RateLimitHitFigures>(
      'rateLimitHit',
      { rounds: sizes.rounds, roundMs: sizes.coreRoundMs },
      300_000,
    );
    collected['quota-core'] = figures;
    return [
      '### quota-core: cache hit, in-memory rate limit (target: ≤ +150 ns)',
      table(
        ['variant', 'ns per verify(): median (min … max)', 'added per round (baseline: no limit)'],
        [
          ['no rate limit (baseline)', range(figures.withoutNs, ns), '—'],
          [
            'default limit, MemoryRateLimiter',
            range(figures.withNs, ns),
            range(figures.addedNs, ns),
          ],
        ],
      ),
      `Refused or wrong answers: ${figures.wrongAnswers}.`,
    ].join('\n\n');
  } finally {
    await child.stop();
  }
}

// Main-thread instructions of one callgrind run of quota-core-count.ts (`cg.<pid>-01` is the main
// thread's file with --separate-threads=yes).
async function countedRun(variant: 'plain' | 'limited', calls: number): Promise<number> {
  const directory = mkdtempSync(join(tmpdir(), 'keygate-quota-callgrind-'));
  try {
    await promisify(execFile)(
      'taskset',
      [
        '-c',
        String(SERVER_CPU),
        'valgrind',
        '--tool=callgrind',
        '--dump-instr=no',
        '--separate-threads=yes',
        `--callgrind-out-file=${join(directory, 'cg.%p')}`,
        process.execPath,
        '--import',
        'tsx',
        'src/quotas/quota-core-count.ts',
        variant,
        String(calls),
      ],
      { cwd: BENCH_DIRECTORY, timeout: 900_000, maxBuffer: 1 << 24 },
    );
    const main = readdirSync(directory).find((name) => /^cg\.\d+-01$/.test(name));
    if (main === undefined) throw new Error('callgrind wrote no main-thread file');
    const text = readFileSync(join(directory, main), 'utf8');
    return Number(/^totals: (\d+)/m.exec(text)?.[1] ?? /^summary: (\d+)/m.exec(text)?.[1]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * (a) The same comparison in instructions (callgrind), which the neighbours on a shared machine
 * cannot move: two runs per variant that differ only in the number of cache hits.
 */
async function quotaCoreInstructions(sizes: QuotaSizes, log: Log): Promise<string> {
  const [short, long] = sizes.countedCalls;
  const perCall: Record<string, number> = {};
  for (const variant of ['plain', 'limited'] as const) {
    log(`${variant}: callgrind runs of ${short} and ${long} cache hits (a minute or two each)`);
    const few = await countedRun(variant, short);
    const many = await countedRun(variant, long);
    perCall[variant] = (many - few) / (long - short);
  }
  collected['quota-core-instructions'] = { calls: sizes.countedCalls, perCall };
  const added = perCall.limited! - perCall.plain!;
  return [
    '### quota-core-instructions: cache hit, in-memory rate limit, in instructions (callgrind, main thread)',
    table(
      ['variant', 'instructions per verify()', 'added'],
      [
        ['no rate limit (baseline)', perCall.plain!.toFixed(0), '—'],
        [
          'default limit, MemoryRateLimiter',
          perCall.limited!.toFixed(0),
          `${added.toFixed(0)} (×${ratio(perCall.limited! / perCall.plain!)})`,
        ],
      ],
    ),
    `Instructions of ${long} cache hits minus those of ${short}, over the difference. valgrind hides SHA-NI, so the digest counts more than the CPU runs; ns ≈ instructions / ~3–4 on this machine's cores (compare with quota-core's ns in the same run).`,
  ].join('\n\n');
}

/** (b) p99 a strict Redis limiter adds to a cache hit, on loopback. Target ≤ 0.3 ms. */
async function quotaRedisStrict(sizes: QuotaSizes, log: Log): Promise<string> {
  const child = await startChild('quotas/quota-redis-bench.ts', [], { cpu: LOAD_CPU });
  try {
    log(
      `sequential cache hits without a limiter and with strict Redis (${JSON.stringify(child.info)})`,
    );
    const figures = await child.call<StrictLatencyFigures>(
      'strictLatency',
      { rounds: sizes.rounds, calls: sizes.latencyCalls },
      300_000,
    );
    collected['quota-redis-strict'] = figures;
    return [
      '### quota-redis-strict: RedisRateLimiter `strict`, one verification in flight (target: p99 added ≤ 0.3 ms)',
      table(
        ['variant', 'p50', 'p99'],
        [
          ['no limiter (baseline)', range(figures.withoutP50, ms), range(figures.withoutP99, ms)],
          ['strict', range(figures.strictP50, ms), range(figures.strictP99, ms)],
          ['added, per round', range(figures.addedP50, ms), range(figures.addedP99, ms)],
        ],
      ),
    ].join('\n\n');
  } finally {
    await child.stop();
  }
}

/** (c) Redis commands per request at ~1k req/s, approximate against strict. Target ≤ 0.1. */
async function quotaApproximateCalls(sizes: QuotaSizes, log: Log): Promise<string> {
  const child = await startChild('quotas/quota-redis-bench.ts', [], { cpu: LOAD_CPU });
  try {
    const rows: string[][] = [];
    for (const keys of [1, 100]) {
      log(`paced 1,000 req/s over ${keys} key(s) for ${sizes.pacedSeconds} s per mode`);
      const figures = await child.call<ApproximateCallsFigures>(
        'approximateCalls',
        { seconds: sizes.pacedSeconds, requestsPerSecond: 1_000, keys },
        300_000,
      );
      collected[`quota-approximate-calls, ${keys} key(s)`] = figures;
      for (const mode of ['strict', 'approximate'] as const) {
        const calls = figures[mode];
        rows.push([
          `${mode}${mode === 'strict' ? ' (baseline)' : ''}`,
          String(keys),
          calls.achievedRequestsPerSecond.toFixed(0),
          String(calls.requests),
          String(calls.commands),
          calls.perRequest.toFixed(4),
          mode === 'strict' ? '—' : ratio(calls.perRequest / figures.strict.perRequest),
        ]);
      }
    }
    return [
      '### quota-approximate-calls: Redis commands per request at ~1k req/s (target: approximate ≤ 0.1)',
      table(
        ['mode', 'keys', 'req/s', 'requests', 'Redis commands', 'per request', '× strict'],
        rows,
      ),
      "Commands counted on the limiter's own client (every command it sends, close() included).",
    ].join('\n\n');
  } finally {
    await child.stop();
  }
}

const VARIANT_LABELS: Record<QuotaHttpVariant, string> = {
  keygate: 'fastify/keygate, no limit (baseline)',
  'keygate-approximate': 'fastify/keygate, approximate Redis limit',
  'keygate-approximate-no-fields': '… the same without RateLimit fields (rateLimitHeaders: none)',
  'keygate-memory': 'fastify/keygate, in-memory limit (for comparison)',
};

/**
 * (c) Fastify req/s with the approximate limit against without. Target ≤ 5% lost. Two more
 * variants tell the limiter's share from the response fields' share.
 */
async function quotaApproximateHttp(
  sizes: QuotaSizes,
  settings: BenchSettings,
  log: Log,
): Promise<string> {
  const key = generateApiKey().key;
  const variants: QuotaHttpVariant[] = [
    'keygate',
    'keygate-approximate',
    'keygate-approximate-no-fields',
    'keygate-memory',
  ];
  const servers = new Map<QuotaHttpVariant, Awaited<ReturnType<typeof startChild>>>();
  const load = await startChild('http/load.ts', [], { cpu: LOAD_CPU });
  try {
    for (const variant of variants) {
      servers.set(
        variant,
        await startChild('quotas/quota-http-server.ts', [variant], {
          cpu: SERVER_CPU,
          env: { BENCH_KEY: key },
        }),
      );
    }
    const round = async (variant: QuotaHttpVariant, seconds: number) => {
      const server = servers.get(variant)!;
      const port = (server.info as { port: number }).port;
      const request: LoadRequest = {
        tool: settings.loadTool,
        url: `http://127.0.0.1:${port}/`,
        headers: { 'x-api-key': key, accept: 'application/json' },
        connections: settings.connections,
        seconds,
        expectStatus: 200,
      };
      const cpuBefore = await server.call<number>('cpu', {}, 10_000);
      const result = await load.call<LoadResult>('run', request, (seconds + 30) * 1000);
      const cpuAfter = await server.call<number>('cpu', {}, 10_000);
      return { ...result, cpuPerRequest: (cpuAfter - cpuBefore) / result.responses };
    };
    log('warming up the servers');
    for (const variant of variants) await round(variant, 1);
    const results = new Map(
      variants.map((variant) => [variant, [] as Awaited<ReturnType<typeof round>>[]]),
    );
    for (let index = 0; index < sizes.httpRounds; index++) {
      log(`round ${index + 1} of ${sizes.httpRounds}`);
      const order = index % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order)
        results.get(variant)!.push(await round(variant, sizes.httpSeconds));
    }
    collected['quota-approximate-http'] = Object.fromEntries(results);
    const base = results.get('keygate')!;
    const rows = variants.map((variant) => {
      const rounds = results.get(variant)!;
      const perRound = (pick: (value: (typeof rounds)[number]) => number) =>
        spread(rounds.map(pick));
      return [
        VARIANT_LABELS[variant],
        range(
          perRound((value) => value.requestsPerSecond),
          (value) => value.toFixed(0),
        ),
        variant === 'keygate'
          ? '—'
          : range(
              spread(
                rounds.map(
                  (value, index) => value.requestsPerSecond / base[index]!.requestsPerSecond,
                ),
              ),
              ratio,
            ),
        range(
          perRound((value) => value.cpuPerRequest),
          (value) => value.toFixed(1),
        ),
        variant === 'keygate'
          ? '—'
          : range(
              spread(
                rounds.map((value, index) => base[index]!.cpuPerRequest / value.cpuPerRequest),
              ),
              ratio,
            ),
        range(
          perRound((value) => value.p99),
          ms,
        ),
        String(rounds.reduce((sum, value) => sum + value.unexpected, 0)),
      ];
    });
    return [
      `### quota-approximate-http: Fastify req/s with the approximate limit (target: ≥ 0.95 × no limit)`,
      table(
        [
          'variant',
          'req/s',
          'req/s × baseline',
          'server CPU µs/req',
          'CPU × baseline',
          'p99',
          'unexpected',
        ],
        rows,
      ),
      `${settings.loadTool}, ${settings.connections} connections, ${sizes.httpRounds} interleaved rounds of ${sizes.httpSeconds} s; server on CPU ${SERVER_CPU}, load on CPU ${LOAD_CPU}.`,
    ].join('\n\n');
  } finally {
    for (const server of servers.values()) await server.stop();
    await load.stop();
  }
}

/** (d) Credit decrement p50/p99 on every store, against a digest lookup on the same store. */
async function quotaCredits(sizes: QuotaSizes, log: Log): Promise<string> {
  const rows: string[][] = [];
  const names: CreditStoreName[] = ['memory', ...STORE_NAMES];
  for (const name of names) {
    const child = await startChild('quotas/quota-credits-bench.ts', [name], {
      cpu: LOAD_CPU,
      startTimeoutMs: 120_000,
    }).catch((error: Error) => error);
    if (child instanceof Error) {
      rows.push([name, `skipped: ${child.message.split('\n')[0]}`, '', '', '', '', '']);
      continue;
    }
    try {
      const info = child.info as { skipped?: string; where?: string };
      if (info.skipped !== undefined) {
        log(`skipped ${name}: ${info.skipped}`);
        rows.push([name, `skipped: ${info.skipped}`, '', '', '', '', '']);
        continue;
      }
      log(`${name} (${info.where})`);
      const figures = await child.call<CreditsFigures>(
        'measure',
        { rounds: sizes.rounds, calls: sizes.creditCalls },
        300_000,
      );
      collected[`quota-credits, ${name}`] = { where: info.where, ...figures };
      rows.push([
        name,
        info.where ?? '',
        range(figures.decrementP50, ms),
        range(figures.decrementP99, ms),
        range(figures.lookupP50, ms),
        range(figures.p50Ratio, ratio),
        figures.taken === figures.decrements
          ? 'yes'
          : `no: ${figures.taken} taken, ${figures.decrements} made`,
      ]);
    } finally {
      await child.stop();
    }
  }
  return [
    '### quota-credits: `consumeCredits(id, 1, now)`, one call in flight',
    table(
      [
        'store',
        'where',
        'decrement p50',
        'decrement p99',
        'lookup p50 (baseline)',
        'decrement / lookup p50',
        'every decrement counted',
      ],
      rows,
    ),
  ].join('\n\n');
}

/** (e) Store reads under a flood of distinct unknown keys from one address, budget on and off. */
async function refusalBudget(sizes: QuotaSizes, log: Log): Promise<string> {
  log(
    `${sizes.floodKeys.toLocaleString('en')} distinct unknown keys from one address, budget on and off`,
  );
  const child = await startChild('quotas/quota-core-bench.ts', [], {
    cpu: SERVER_CPU,
    nodeFlags: ['--max-old-space-size=8192'],
  });
  try {
    const figures = await child.call<RefusalBudgetFigures>(
      'refusalBudget',
      { keys: sizes.floodKeys },
      900_000,
    );
    collected['refusal-budget'] = figures;
    const row = (label: string, flood: RefusalBudgetFigures['on']) => [
      label,
      flood.storeReads.toLocaleString('en'),
      flood.refusedUnknown.toLocaleString('en'),
      flood.refusedRateLimited.toLocaleString('en'),
      String(flood.windows),
      flood.seconds.toFixed(1),
    ];
    return [
      `### refusal-budget: store reads under a flood of ${figures.keys.toLocaleString('en')} unknown keys from one address (expected: 100 per one-minute window with the budget on)`,
      table(
        ['budget', 'store reads', '401 invalid_api_key', '429 rate_limited', 'windows', 'seconds'],
        [row('off (baseline)', figures.off), row('on (100 a minute, the default)', figures.on)],
      ),
      `Reads with the budget on / off: ${(figures.on.storeReads / figures.off.storeReads).toExponential(2)}.`,
    ].join('\n\n');
  } finally {
    await child.stop();
  }
}

/** Runs the named cases in order; answers the markdown report of each. */
export async function runQuotaCases(
  cases: readonly QuotaCase[],
  settings: BenchSettings,
  argv: readonly string[],
  log: (section: string, line: string) => void,
): Promise<{ reports: Record<QuotaCase, string>; figures: Record<string, unknown> }> {
  const sizes = quotaSizes(settings, argv);
  const reports = {} as Record<QuotaCase, string>;
  for (const name of cases) {
    const caseLog = (line: string) => log(name, line);
    switch (name) {
      case 'quota-core':
        reports[name] = await quotaCore(sizes, caseLog);
        break;
      case 'quota-core-instructions':
        reports[name] = await quotaCoreInstructions(sizes, caseLog);
        break;
      case 'quota-redis-strict':
        reports[name] = await quotaRedisStrict(sizes, caseLog);
        break;
      case 'quota-approximate-calls':
        reports[name] = await quotaApproximateCalls(sizes, caseLog);
        break;
      case 'quota-approximate-http':
        reports[name] = await quotaApproximateHttp(sizes, settings, caseLog);
        break;
      case 'quota-credits':
        reports[name] = await quotaCredits(sizes, caseLog);
        break;
      case 'refusal-budget':
        reports[name] = await refusalBudget(sizes, caseLog);
        break;
    }
  }
  return { reports, figures: { sizes, ...collected } };
}
