// The HTTP section, on the parent side: one server per variant pinned to CPU 0, the load
// generator pinned to CPU 1, and rounds that run every variant in turn (A B C A B C …), so a
// ratio compares variants measured seconds apart.
import { generateApiKey } from '@keygate/core';
import { type Child, startChild } from '../children.js';
import type { BenchSettings } from '../settings.js';
import { type Spread, spread } from '../statistics.js';
import type { LoadRequest, LoadResult, LoadTool } from './load.js';
import {
  benchHeaders,
  expectedStatus,
  type Framework,
  VARIANTS,
  type Variant,
  variantName,
} from './variants.js';

export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

/** One round of one variant: the load generator's figures and the server's CPU time. */
export interface RoundResult extends LoadResult {
  /** Server CPU time (user + system) per response, in microseconds. */
  readonly serverCpuPerRequest: number;
}

/** The figures of one variant. Latencies in milliseconds. */
export interface VariantFigures {
  readonly name: string;
  readonly framework: Framework;
  readonly kind: Variant['kind'];
  readonly requestsPerSecond: Spread;
  readonly p50: Spread;
  readonly p99: Spread;
  /** Server CPU µs per request. */
  readonly serverCpuPerRequest: Spread;
  /** Requests/s over the bare framework's in the same round. */
  readonly ratioToBare: Spread | undefined;
  /** Bare CPU per request over this variant's, same round: the ratio of server capacities. */
  readonly cpuRatioToBare: Spread | undefined;
  /** Requests/s over the minimal hook's in the same round (keygate variants only). */
  readonly ratioToMinimalHook: Spread | undefined;
  /** The same by CPU per request. */
  readonly cpuRatioToMinimalHook: Spread | undefined;
  /** Requests/s over @fastify/bearer-auth's in the same round (Fastify with keygate only). */
  readonly ratioToBearerAuth: Spread | undefined;
  /** The same by CPU per request. */
  readonly cpuRatioToBearerAuth: Spread | undefined;
  /** p99 minus the bare framework's p99 of the same round. */
  readonly p99AboveBare: Spread | undefined;
  /** Responses with another status than expected, errors and timeouts, all rounds (must be 0). */
  readonly unexpectedResponses: number;
  readonly rounds: readonly RoundResult[];
}

/** The HTTP section's results. */
export interface HttpResults {
  readonly tool: LoadTool;
  readonly connections: number;
  readonly secondsPerRound: number;
  readonly rounds: number;
  readonly variants: readonly VariantFigures[];
  readonly skipped: readonly string[];
}

async function canLoad(name: string): Promise<boolean> {
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

async function checkServer(variant: Variant, url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
  const body = await response.text();
  if (response.status !== expectedStatus(variant)) {
    throw new Error(`${variantName(variant)} answered ${response.status}: ${body.slice(0, 200)}`);
  }
}

/** Runs the HTTP section; `log` gets one line per step. */
export async function runHttp(
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<HttpResults> {
  const key = generateApiKey().key;
  const headers = benchHeaders(key);
  const skipped: string[] = [];
  const variants: Variant[] = [];
  const chosen = settings.httpVariants;
  for (const variant of VARIANTS) {
    if (chosen.length > 0 && !chosen.some((name) => variantName(variant).startsWith(name))) {
      continue;
    }
    if (variant.needs !== undefined && !(await canLoad(variant.needs))) {
      skipped.push(`${variantName(variant)}: ${variant.needs} cannot be loaded (not built yet?)`);
    } else variants.push(variant);
  }
  for (const line of skipped) log(`skipped ${line}`);

  const servers = new Map<Variant, { child: Child; url: string }>();
  let load: Child | undefined;
  try {
    for (const variant of variants) {
      const child = await startChild('http/server.ts', [variant.framework, variant.kind], {
        cpu: SERVER_CPU,
        env: { BENCH_KEY: key, NODE_ENV: 'production' },
      });
      const url = `http://127.0.0.1:${(child.info as { port: number }).port}/`;
      servers.set(variant, { child, url });
      await checkServer(variant, url, headers);
    }
    load = await startChild('http/load.ts', [], { cpu: LOAD_CPU });
    const runRound = async (variant: Variant, seconds: number): Promise<RoundResult> => {
      const server = servers.get(variant)!;
      const cpuBefore = await server.child.call<number>('cpu', null, 10_000);
      const result = await load!.call<LoadResult>(
        'run',
        {
          tool: settings.loadTool,
          url: server.url,
          headers,
          connections: settings.connections,
          seconds,
          expectStatus: expectedStatus(variant),
        } satisfies LoadRequest,
        seconds * 1000 + 30_000,
      );
      const cpuAfter = await server.child.call<number>('cpu', null, 10_000);
      return { ...result, serverCpuPerRequest: (cpuAfter - cpuBefore) / result.responses };
    };

    log(
      `${settings.loadTool}: warming up ${variants.length} servers (${settings.httpWarmupSeconds} s each)`,
    );
    for (const variant of variants) await runRound(variant, settings.httpWarmupSeconds);

    const results = new Map<Variant, RoundResult[]>(variants.map((variant) => [variant, []]));
    for (let round = 0; round < settings.httpRounds; round++) {
      const line: string[] = [];
      for (let index = 0; index < variants.length; index++) {
        // Rotate the order so that no variant always follows the same one.
        const variant = variants[(index + round) % variants.length]!;
        const result = await runRound(variant, settings.httpRoundSeconds);
        results.get(variant)!.push(result);
        line.push(
          `${variantName(variant)} ${Math.round(result.requestsPerSecond)}/s ${result.serverCpuPerRequest.toFixed(1)}µs`,
        );
      }
      log(`round ${round + 1}/${settings.httpRounds}: ${line.join(', ')}`);
    }
    return {
      tool: settings.loadTool,
      connections: settings.connections,
      secondsPerRound: settings.httpRoundSeconds,
      rounds: settings.httpRounds,
      variants: variants.map((variant) => figures(variant, variants, results)),
      skipped,
    };
  } finally {
    await Promise.all([load?.stop(), ...[...servers.values()].map(({ child }) => child.stop())]);
  }
}

function figures(
  variant: Variant,
  all: readonly Variant[],
  results: ReadonlyMap<Variant, RoundResult[]>,
): VariantFigures {
  const rounds = results.get(variant)!;
  const find = (kind: Variant['kind']) =>
    all.find((other) => other.framework === variant.framework && other.kind === kind);
  const bare = find('bare');
  const bearer = variant.kind === 'keygate' ? find('bearer-auth') : undefined;
  const minimal = variant.kind.startsWith('keygate') ? find('minimal-hook') : undefined;
  // A ratio per round (the two were measured seconds apart), then the median of those.
  const perRound = (
    other: Variant | undefined,
    value: (mine: RoundResult, theirs: RoundResult) => number,
  ) =>
    other === undefined || other === variant
      ? undefined
      : spread(rounds.map((mine, round) => value(mine, results.get(other)![round]!)));
  const throughput = (mine: RoundResult, theirs: RoundResult) =>
    mine.requestsPerSecond / theirs.requestsPerSecond;
  const capacity = (mine: RoundResult, theirs: RoundResult) =>
    theirs.serverCpuPerRequest / mine.serverCpuPerRequest;
  return {
    name: variantName(variant),
    framework: variant.framework,
    kind: variant.kind,
    requestsPerSecond: spread(rounds.map((round) => round.requestsPerSecond)),
    p50: spread(rounds.map((round) => round.p50)),
    p99: spread(rounds.map((round) => round.p99)),
    serverCpuPerRequest: spread(rounds.map((round) => round.serverCpuPerRequest)),
    ratioToBare: perRound(bare, throughput),
    cpuRatioToBare: perRound(bare, capacity),
    ratioToMinimalHook: perRound(minimal, throughput),
    cpuRatioToMinimalHook: perRound(minimal, capacity),
    ratioToBearerAuth: perRound(bearer, throughput),
    cpuRatioToBearerAuth: perRound(bearer, capacity),
    p99AboveBare: perRound(bare, (mine, theirs) => mine.p99 - theirs.p99),
    unexpectedResponses: rounds.reduce((sum, round) => sum + round.unexpected, 0),
    rounds,
  };
}
