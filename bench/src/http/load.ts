// Child process: the load generator, pinned to the other CPU by run.ts. autocannon by default,
// recording every response's time itself (autocannon's histogram resolves only to 1 ms); wrk
// (`--load=wrk`, if installed) as a cross-check that needs far less CPU per request.
import { execFile } from 'node:child_process';
import autocannon from 'autocannon';
import { serveParent } from '../children.js';
import { latencyPercentiles } from '../statistics.js';

export type LoadTool = 'autocannon' | 'wrk';

/** One round of load against one server. */
export interface LoadRequest {
  readonly tool: LoadTool;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly seconds: number;
  /** Send exactly this many requests instead (autocannon only; `seconds` is then ignored). */
  readonly amount?: number;
  /** The status every response should have. */
  readonly expectStatus: number;
}

/** What one round measured. Latencies in milliseconds. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly responses: number;
  readonly p50: number;
  readonly p99: number;
  /** Responses with another status than expected, socket errors and timeouts. */
  readonly unexpected: number;
}

let latencies = new Float64Array(1 << 20);

async function runAutocannon(request: LoadRequest): Promise<LoadResult> {
  let count = 0;
  let unexpected = 0;
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: request.url,
        headers: request.headers,
        connections: request.connections,
        ...(request.amount === undefined
          ? { duration: request.seconds }
          : { amount: request.amount }),
        // Counted runs go to servers under valgrind, many times slower than usual.
        timeout: request.amount === undefined ? 10 : 120,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance!.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (count === latencies.length) {
      const larger = new Float64Array(latencies.length * 2);
      larger.set(latencies);
      latencies = larger;
    }
    latencies[count++] = responseTime;
    if (statusCode !== request.expectStatus) unexpected++;
  });
  const result = await finished;
  const { p50, p99 } = latencyPercentiles(latencies.subarray(0, count));
  return {
    requestsPerSecond: count / result.duration,
    responses: count,
    p50,
    p99,
    unexpected: unexpected + result.errors + result.timeouts,
  };
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3 };

function wrkLatency(output: string, percentile: string): number {
  const match = new RegExp(`^\\s+${percentile}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
  return match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2]!]!;
}

async function runWrk(request: LoadRequest): Promise<LoadResult> {
  const args = ['-t1', `-c${request.connections}`, `-d${request.seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(request.headers)) args.push('-H', `${name}: ${value}`);
  args.push(request.url);
  // wrk inherits this process's CPU pinning.
  const output = await new Promise<string>((resolve, reject) =>
    execFile('wrk', args, { timeout: (request.seconds + 20) * 1000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
  const total = Number(/(\d+) requests in ([\d.]+)s/.exec(output)?.[1] ?? Number.NaN);
  const seconds = Number(/(\d+) requests in ([\d.]+)s/.exec(output)?.[2] ?? Number.NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
    .exec(output)
    ?.slice(1)
    .reduce((sum, count) => sum + Number(count), 0);
  const ok = request.expectStatus < 300;
  return {
    requestsPerSecond: total / seconds,
    responses: total,
    p50: wrkLatency(output, '50'),
    p99: wrkLatency(output, '99'),
    unexpected: (ok ? non2xx : total - non2xx) + (socketErrors ?? 0),
  };
}

await serveParent(() => ({}), {
  run: (request: LoadRequest) =>
    request.tool === 'wrk' ? runWrk(request) : runAutocannon(request),
});
