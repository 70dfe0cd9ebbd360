// The `serve` section (`pnpm bench --only=serve`): `keygate serve` on a cache hit against a bare
// node:http server answering 200 (req/s and server CPU per request, autocannon), and the latency
// one request gains through nginx when nginx asks `keygate serve` first (the recipe of
// examples/forward-auth/nginx.conf), one request at a time. Servers and nginx on CPU 0, the load
// on CPU 1, variants interleaved round by round.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acceptsConnections,
  writeNginxConfig,
} from '../../../examples/src/forward-auth/recipes.js';
import { type Child, startChild } from '../children.js';
import { LOAD_CPU, SERVER_CPU } from '../http/http-bench.js';
import type { LoadRequest, LoadResult } from '../http/load.js';
import type { TargetCheck } from '../results.js';
import type { BenchSettings } from '../settings.js';
import { type Spread, spread } from '../statistics.js';
import type { LatencyRequest, LatencyResult } from './sequential-latency.js';

/** What the section measured. Latencies in milliseconds. */
export interface ServeResults {
  readonly rounds: number;
  readonly connections: number;
  readonly secondsPerRound: number;
  readonly bareRequestsPerSecond: Spread;
  readonly serveRequestsPerSecond: Spread;
  /** keygate serve req/s over bare node:http req/s, per round. */
  readonly ratioToBare: Spread;
  /** Bare CPU µs per request over keygate serve's, per round. */
  readonly cpuRatioToBare: Spread;
  readonly serveCpuPerRequest: Spread;
  /** Requests sent one at a time per latency round. */
  readonly latencyRequests: number;
  readonly nginxP50: Spread;
  readonly nginxP99: Spread;
  readonly nginxWithAuthP50: Spread;
  readonly nginxWithAuthP99: Spread;
  /** p99 through nginx with the auth_request minus without, per round. */
  readonly addedP99: Spread;
  readonly unexpectedResponses: number;
  /** Why the nginx part did not run, if it did not. */
  readonly nginxSkipped: string | undefined;
}

/** Runs the section; `log` gets one line per step. */
export async function runServeBench(
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<ServeResults> {
  const children: Child[] = [];
  let nginx: ChildProcess | undefined;
  try {
    const serve = await startChild('serve/forward-auth-server.ts', ['serve'], {
      cpu: SERVER_CPU,
      env: { NODE_ENV: 'production' },
    });
    children.push(serve);
    const bare = await startChild('serve/forward-auth-server.ts', ['bare'], { cpu: SERVER_CPU });
    children.push(bare);
    const load = await startChild('http/load.ts', [], { cpu: LOAD_CPU });
    children.push(load);
    const latency = await startChild('serve/sequential-latency.ts', [], { cpu: LOAD_CPU });
    children.push(latency);
    const { port: servePort, key } = serve.info as { port: number; key: string };
    const barePort = (bare.info as { port: number }).port;
    const headers = { 'x-api-key': key };
    const path = '/api/sites';

    let nginxSkipped: string | undefined;
    let ports: { direct: number; auth: number } | undefined;
    try {
      ({ nginx, ports } = await startNginx(servePort, barePort));
    } catch (error) {
      nginxSkipped = error instanceof Error ? error.message : String(error);
      log(`nginx part skipped: ${nginxSkipped}`);
    }

    const throughput = async (child: Child, port: number, seconds: number) => {
      const before = await child.call<number>('cpu', null, 10_000);
      const result = await load.call<LoadResult>(
        'run',
        {
          tool: settings.loadTool,
          url: `http://127.0.0.1:${port}${path}`,
          headers,
          connections: settings.connections,
          seconds,
          expectStatus: 200,
        } satisfies LoadRequest,
        seconds * 1000 + 30_000,
      );
      const after = await child.call<number>('cpu', null, 10_000);
      return { ...result, cpuPerRequest: (after - before) / result.responses };
    };
    const latencyRequests = settings.quick ? 1_000 : 3_000;
    const sequential = (port: number) =>
      latency.call<LatencyResult>(
        'run',
        {
          url: `http://127.0.0.1:${port}${path}`,
          headers,
          count: latencyRequests,
          expectStatus: 200,
        } satisfies LatencyRequest,
        120_000,
      );

    log(`warming up (${settings.httpWarmupSeconds} s each)`);
    await throughput(bare, barePort, settings.httpWarmupSeconds);
    await throughput(serve, servePort, settings.httpWarmupSeconds);
    if (ports !== undefined) {
      await sequential(ports.direct);
      await sequential(ports.auth);
    }

    const rows: {
      bare: Awaited<ReturnType<typeof throughput>>;
      serve: Awaited<ReturnType<typeof throughput>>;
      direct?: LatencyResult;
      auth?: LatencyResult;
    }[] = [];
    for (let round = 0; round < settings.httpRounds; round++) {
      // Alternate which goes first, so neither always follows the other.
      const first = round % 2 === 0;
      const a = await throughput(
        first ? bare : serve,
        first ? barePort : servePort,
        settings.httpRoundSeconds,
      );
      const b = await throughput(
        first ? serve : bare,
        first ? servePort : barePort,
        settings.httpRoundSeconds,
      );
      const row: (typeof rows)[number] = { bare: first ? a : b, serve: first ? b : a };
      if (ports !== undefined) {
        const x = await sequential(first ? ports.direct : ports.auth);
        const y = await sequential(first ? ports.auth : ports.direct);
        row.direct = first ? x : y;
        row.auth = first ? y : x;
      }
      rows.push(row);
      log(
        `round ${round + 1}/${settings.httpRounds}: bare ${Math.round(row.bare.requestsPerSecond)}/s, serve ${Math.round(row.serve.requestsPerSecond)}/s` +
          (row.direct && row.auth
            ? `; nginx p99 ${row.direct.p99.toFixed(3)} ms, with auth ${row.auth.p99.toFixed(3)} ms`
            : ''),
      );
    }
    const latencies = rows.filter((row) => row.direct !== undefined && row.auth !== undefined);
    const of = (values: number[]) => (values.length === 0 ? spread([Number.NaN]) : spread(values));
    return {
      rounds: settings.httpRounds,
      connections: settings.connections,
      secondsPerRound: settings.httpRoundSeconds,
      bareRequestsPerSecond: spread(rows.map((row) => row.bare.requestsPerSecond)),
      serveRequestsPerSecond: spread(rows.map((row) => row.serve.requestsPerSecond)),
      ratioToBare: spread(
        rows.map((row) => row.serve.requestsPerSecond / row.bare.requestsPerSecond),
      ),
      cpuRatioToBare: spread(rows.map((row) => row.bare.cpuPerRequest / row.serve.cpuPerRequest)),
      serveCpuPerRequest: spread(rows.map((row) => row.serve.cpuPerRequest)),
      latencyRequests,
      nginxP50: of(latencies.map((row) => row.direct!.p50)),
      nginxP99: of(latencies.map((row) => row.direct!.p99)),
      nginxWithAuthP50: of(latencies.map((row) => row.auth!.p50)),
      nginxWithAuthP99: of(latencies.map((row) => row.auth!.p99)),
      addedP99: of(latencies.map((row) => row.auth!.p99 - row.direct!.p99)),
      unexpectedResponses: rows.reduce(
        (sum, row) =>
          sum +
          row.bare.unexpected +
          row.serve.unexpected +
          (row.direct?.unexpected ?? 0) +
          (row.auth?.unexpected ?? 0),
        0,
      ),
      nginxSkipped,
    };
  } finally {
    if (nginx?.pid !== undefined && nginx.exitCode === null) process.kill(nginx.pid, 'SIGTERM');
    await Promise.all(children.map((child) => child.stop()));
  }
}

// nginx with two servers in front of the bare upstream: one proxying straight to it, one with the
// forward-auth recipe (its addresses replaced by this run's). One process, pinned to CPU 0.
async function startNginx(
  servePort: number,
  upstreamPort: number,
): Promise<{ nginx: ChildProcess; ports: { direct: number; auth: number } }> {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-bench-nginx-'));
  const direct = await freePort();
  const auth = await freePort();
  const args = writeNginxConfig(
    dir,
    {
      keygate: `127.0.0.1:${servePort}`,
      upstream: `127.0.0.1:${upstreamPort}`,
      proxy: `127.0.0.1:${auth}`,
    },
    {
      workerConnections: 1024,
      servers: [
        `server { listen 127.0.0.1:${direct}; location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://api; } }`,
      ],
    },
  );
  const nginx = spawn('taskset', ['-c', String(SERVER_CPU), 'nginx', ...args], {
    stdio: 'ignore',
  });
  const failed = new Promise<never>((_, reject) => {
    nginx.once('error', (error) => reject(new Error(`cannot start nginx: ${error.message}`)));
    nginx.once('exit', (code) =>
      reject(new Error(`nginx exited with code ${String(code)} (apt-get install nginx-light)`)),
    );
  });
  const deadline = Date.now() + 10_000;
  while (!(await acceptsConnections(auth)) || !(await acceptsConnections(direct))) {
    if (Date.now() > deadline) throw new Error('nginx did not come up');
    await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  return { nginx, ports: { direct, auth } };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The section as markdown. */
export function serveReport(results: ServeResults): string {
  const figure = (value: Spread, digits: number) =>
    `${value.median.toFixed(digits)} (${value.min.toFixed(digits)}–${value.max.toFixed(digits)})`;
  const lines = [
    '### keygate serve (forward auth, cache hit)',
    `${results.rounds} rounds of ${results.secondsPerRound} s, ${results.connections} connections; latency: ${results.latencyRequests} requests one at a time per round.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| bare node:http req/s | ${figure(results.bareRequestsPerSecond, 0)} |`,
    `| keygate serve req/s | ${figure(results.serveRequestsPerSecond, 0)} |`,
    `| req/s × bare | ${figure(results.ratioToBare, 2)} |`,
    `| CPU × bare | ${figure(results.cpuRatioToBare, 2)} |`,
    `| keygate serve CPU µs / check | ${figure(results.serveCpuPerRequest, 1)} |`,
  ];
  if (results.nginxSkipped === undefined) {
    lines.push(
      `| nginx → upstream p50 / p99 ms | ${figure(results.nginxP50, 3)} / ${figure(results.nginxP99, 3)} |`,
      `| nginx + auth_request → upstream p50 / p99 ms | ${figure(results.nginxWithAuthP50, 3)} / ${figure(results.nginxWithAuthP99, 3)} |`,
      `| p99 added by the check, ms | ${figure(results.addedP99, 3)} |`,
    );
  } else {
    lines.push(`| nginx | skipped: ${results.nginxSkipped} |`);
  }
  lines.push(`| unexpected responses | ${results.unexpectedResponses} |`);
  return lines.join('\n');
}

/** Issue 15's targets for `keygate serve`, as this run measured them. */
export function serveTargets(results: ServeResults | undefined): TargetCheck[] {
  if (results === undefined) {
    return [
      { target: 'keygate serve ≥ 0.8× bare node:http req/s', measured: '', met: undefined },
      { target: 'keygate serve adds ≤ 0.5 ms p99 through nginx', measured: '', met: undefined },
    ];
  }
  const added = results.addedP99.median;
  return [
    {
      target: 'keygate serve ≥ 0.8× bare node:http req/s',
      measured: `${results.ratioToBare.median.toFixed(2)}× (CPU ${results.cpuRatioToBare.median.toFixed(2)}×)`,
      met: results.ratioToBare.median >= 0.8,
    },
    {
      target: 'keygate serve adds ≤ 0.5 ms p99 through nginx',
      measured: Number.isNaN(added) ? 'not measured (no nginx)' : `${added.toFixed(3)} ms`,
      met: Number.isNaN(added) ? undefined : added <= 0.5,
    },
  ];
}
