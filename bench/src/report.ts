// The markdown report of a run (printed, and pasted into bench/README.md) and the target checks.

import { ALL_CACHED_HIT, HOT_HIT, NOBLE_HIT } from './core/operation-names.js';
import type { HttpResults } from './http/http-bench.js';
import type { BenchResults, CoreResults, StoreOutcome, TargetCheck } from './results.js';
import { scanReport } from './scan/scan-report.js';
import { serveReport } from './serve/serve-bench.js';
import type { Spread } from './statistics.js';

/** `1.23 M`, `456 k`, `789`. */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e4) return `${Math.round(value / 1e3)} k`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(0);
}

function rateSpread(value: Spread | undefined): string {
  if (value === undefined) return '—';
  return `${formatRate(value.median)} (${formatRate(value.min)}–${formatRate(value.max)})`;
}

function ratio(value: Spread | undefined): string {
  if (value === undefined) return '—';
  return `${value.median.toFixed(3)} (${value.min.toFixed(2)}–${value.max.toFixed(2)})`;
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value < 1 ? value.toFixed(3) : value.toFixed(2);
}

function msSpread(value: Spread | undefined, signed = false): string {
  if (value === undefined) return '—';
  const sign = (n: number) => (signed && n >= 0 ? '+' : '');
  return `${sign(value.median)}${ms(value.median)} (${sign(value.min)}${ms(value.min)}…${sign(value.max)}${ms(value.max)})`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function sizeLabel(size: number): string {
  return size >= 1e6 ? `${size / 1e6}M keys` : size >= 1e3 ? `${size / 1e3}k keys` : `${size} keys`;
}

function coreReport(core: CoreResults): string {
  const sizes = core.scales.map((scale) => scale.size);
  const operations = [...new Set(core.scales.flatMap((scale) => Object.keys(scale.figures)))];
  const scaleTable = table(
    ['verify(), calls/s: median (min–max)', ...sizes.map(sizeLabel)],
    operations.map((operation) => [
      operation,
      ...core.scales.map((scale) => rateSpread(scale.figures[operation])),
    ]),
  );
  const hashing = table(
    ['operation', 'calls/s: median (min–max)', 'ns per call'],
    Object.entries(core.hashing).map(([operation, figure]) => [
      operation,
      rateSpread(figure),
      (1e9 / figure.median).toFixed(0),
    ]),
  );
  const memory = table(
    ['keys', 'memory store, bytes/key', 'verifier cache, bytes/entry'],
    core.memory.map((figure) => [
      sizeLabel(figure.size),
      figure.storeBytesPerKey.toFixed(0),
      figure.cacheBytesPerEntry.toFixed(0),
    ]),
  );
  const wrong = core.scales.reduce((sum, scale) => sum + scale.wrongAnswers, 0);
  return [
    '### Core, in process (one pinned CPU)',
    scaleTable,
    '',
    hashing,
    '',
    memory,
    '',
    `Store lookups while refusing 2,000 malformed and bad-checksum keys: ${core.storeLookupsForBadKeys}. ` +
      `Unexpected verify() answers: ${wrong}.`,
  ].join('\n');
}

function httpReport(http: HttpResults): string {
  const rows = http.variants.map((variant) => [
    variant.name,
    rateSpread(variant.requestsPerSecond),
    ratio(variant.ratioToBare),
    ratio(variant.ratioToMinimalHook),
    ratio(variant.ratioToBearerAuth),
    `${variant.serverCpuPerRequest.median.toFixed(1)} (${variant.serverCpuPerRequest.min.toFixed(1)}–${variant.serverCpuPerRequest.max.toFixed(1)})`,
    ratio(variant.cpuRatioToBare),
    ratio(variant.cpuRatioToMinimalHook),
    ratio(variant.cpuRatioToBearerAuth),
    msSpread(variant.p50),
    msSpread(variant.p99),
    variant.kind === 'bare' ? '—' : msSpread(variant.p99AboveBare, true),
    String(variant.unexpectedResponses),
  ]);
  return [
    `### HTTP (${http.tool}, ${http.connections} connections, ${http.rounds} interleaved rounds of ${http.secondsPerRound} s; server on CPU 0, load generator on CPU 1)`,
    table(
      [
        'variant',
        'req/s: median (min–max)',
        'req/s × bare',
        'req/s × minimal hook',
        'req/s × bearer-auth',
        'server CPU µs/req',
        'CPU × bare',
        'CPU × minimal hook',
        'CPU × bearer-auth',
        'p50 ms',
        'p99 ms',
        'p99 − bare p99, ms',
        'unexpected',
      ],
      rows,
    ),
    '',
    "CPU × bare is the bare server's CPU time per request over the variant's (same round): the ratio of what one core could serve, which the load generator's own limit does not cap.",
    ...(http.skipped.length > 0 ? ['', `Skipped: ${http.skipped.join('; ')}`] : []),
  ].join('\n');
}

function storesReport(stores: readonly StoreOutcome[]): string {
  const rows = stores.map((outcome) =>
    'skipped' in outcome
      ? [outcome.name, `skipped: ${outcome.skipped}`, '', '', '', '', '', '']
      : [
          outcome.name,
          outcome.server,
          msSpread(outcome.sequential.p50),
          msSpread(outcome.sequential.p99),
          `${ms(outcome.findByHash.p50.median)} / ${ms(outcome.findByHash.p99.median)}`,
          rateSpread(outcome.concurrent.perSecond),
          ms(outcome.concurrent.p50.median),
          ms(outcome.concurrent.p99.median),
        ],
  );
  return [
    '### Stores: verify() missing the cache (cache off), 1,000 keys',
    table(
      [
        'store',
        'server',
        'p50 ms, 1 in flight',
        'p99 ms, 1 in flight',
        'findByHash alone p50 / p99 ms',
        'verify/s, 50 in flight',
        'p50 ms, 50 in flight',
        'p99 ms, 50 in flight',
      ],
      rows,
    ),
  ].join('\n');
}

/** Checks every target of issue 7 that this run measured. */
export function checkTargets(
  core: CoreResults | undefined,
  http: HttpResults | undefined,
  stores: readonly StoreOutcome[] | undefined,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (target: string, measured: string, met: boolean | undefined) =>
    checks.push({ target, measured, met });

  for (const framework of ['fastify', 'koa', 'express'] as const) {
    const variant = http?.variants.find(
      (candidate) => candidate.framework === framework && candidate.kind === 'keygate',
    );
    const bareRatio = variant?.ratioToBare;
    add(
      `HTTP ${framework}: valid key ≥ 0.95× bare req/s`,
      `${ratio(bareRatio)}; by server CPU ${ratio(variant?.cpuRatioToBare)}`,
      bareRatio === undefined ? undefined : bareRatio.median >= 0.95,
    );
    const above = variant?.p99AboveBare;
    add(
      `HTTP ${framework}: p99 ≤ bare + 0.5 ms`,
      above === undefined ? '—' : `${msSpread(above, true)} ms`,
      above === undefined ? undefined : above.median <= 0.5,
    );
    if (framework === 'fastify') {
      const bearer = variant?.ratioToBearerAuth;
      add(
        'HTTP fastify: valid key ≥ 0.95× @fastify/bearer-auth req/s',
        `${ratio(bearer)}; by server CPU ${ratio(variant?.cpuRatioToBearerAuth)}`,
        bearer === undefined ? undefined : bearer.median >= 0.95,
      );
    }
  }

  const smallest = core?.scales[0];
  const largest = core?.scales[core.scales.length - 1];
  const figure = (operation: string) => smallest?.figures[operation];
  const atLeast = (target: string, operation: string, floor: number) => {
    const value = figure(operation);
    add(
      target,
      value === undefined ? '—' : `${rateSpread(value)}/s (${sizeLabel(smallest!.size)})`,
      value === undefined ? undefined : value.median >= floor,
    );
  };
  atLeast('Core: cache hit ≥ 1,000,000/s (Node digest)', HOT_HIT, 1e6);
  atLeast('Core: cache hit ≥ 300,000/s (noble digest)', NOBLE_HIT, 3e5);
  atLeast('Core: malformed refused ≥ 3,000,000/s', 'malformed (wrong prefix)', 3e6);
  atLeast('Core: bad checksum refused ≥ 3,000,000/s', 'bad checksum', 3e6);
  add(
    'Core: bad keys never reach the store',
    core === undefined ? '—' : `${core.storeLookupsForBadKeys} lookups`,
    core === undefined ? undefined : core.storeLookupsForBadKeys === 0,
  );
  if (smallest !== undefined && largest !== undefined && largest.size >= 1_000_000) {
    for (const operation of [HOT_HIT, ALL_CACHED_HIT]) {
      const small = smallest.figures[operation];
      const large = largest.figures[operation];
      if (small === undefined || large === undefined) continue;
      const quotient = large.median / small.median;
      add(
        `Scale: ${operation} with ${sizeLabel(largest.size)} ≥ 0.8× ${sizeLabel(smallest.size)}`,
        `${quotient.toFixed(2)}× (${formatRate(large.median)} vs ${formatRate(small.median)})`,
        quotient >= 0.8,
      );
    }
  } else {
    add(
      'Scale: cache hit with 1M keys ≥ 0.8× 1k keys',
      'not measured (1M keys only in the full run)',
      undefined,
    );
  }
  const memory = core?.memory[core.memory.length - 1];
  add(
    'Memory store ≤ 500 bytes/key',
    memory === undefined
      ? '—'
      : `${memory.storeBytesPerKey.toFixed(0)} B/key (${sizeLabel(memory.size)})`,
    memory === undefined ? undefined : memory.storeBytesPerKey <= 500,
  );

  const limits: Record<string, number> = { redis: 1, postgres: 2, mariadb: 2, sqlite: 0.2 };
  for (const [name, limit] of Object.entries(limits)) {
    const outcome = stores?.find((candidate) => candidate.name === name);
    const target = `Store ${name}: cache-miss p99 < ${limit} ms`;
    if (outcome === undefined) add(target, 'not measured', undefined);
    else if ('skipped' in outcome) add(target, `skipped: ${outcome.skipped}`, undefined);
    else
      add(target, `${msSpread(outcome.sequential.p99)} ms`, outcome.sequential.p99.median < limit);
  }
  return checks;
}

/** The whole report in markdown. */
export function markdownReport(results: BenchResults): string {
  const environment = results.environment;
  const parts = [
    `## keygate bench, ${results.startedAt}${results.settings.quick ? ' (quick run)' : ''}`,
    `Node ${environment.node} (V8 ${environment.v8}), ${environment.cpu} × ${environment.cpus}, ` +
      `${environment.memoryGiB} GiB, ${environment.os}; commit ${environment.commit}; ` +
      `${results.durationSeconds.toFixed(0)} s. Medians of ${results.settings.rounds} rounds, (min–max) over rounds.`,
  ];
  if (results.core !== undefined) parts.push(coreReport(results.core));
  if (results.http !== undefined) parts.push(httpReport(results.http));
  if (results.stores !== undefined) parts.push(storesReport(results.stores));
  if (results.scan !== undefined) parts.push(scanReport(results.scan));
  if (results.serve !== undefined) parts.push(serveReport(results.serve));
  parts.push(
    [
      '### Targets (issue 7)',
      table(
        ['target', 'measured', 'met'],
        results.targets.map((check) => [
          check.target,
          check.measured,
          check.met === undefined ? 'not measured' : check.met ? 'yes' : '**no**',
        ]),
      ),
    ].join('\n'),
  );
  return parts.join('\n\n');
}
