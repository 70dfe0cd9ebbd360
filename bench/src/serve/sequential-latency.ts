// Child process: one request at a time on one keep-alive connection, each timed, for latencies
// below autocannon's 1 ms resolution: what one request through nginx costs with and without the
// auth_request to `keygate serve`.
import { Agent, request } from 'node:http';
import { serveParent } from '../children.js';
import { latencyPercentiles } from '../statistics.js';

/** One latency round. */
export interface LatencyRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly count: number;
  readonly expectStatus: number;
}

/** Its percentiles, in milliseconds. */
export interface LatencyResult {
  readonly p50: number;
  readonly p99: number;
  readonly unexpected: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function once(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

await serveParent(async () => ({}), {
  run: async (payload: unknown): Promise<LatencyResult> => {
    const { url, headers, count, expectStatus } = payload as LatencyRequest;
    const times = new Float64Array(count);
    let unexpected = 0;
    for (let index = 0; index < count; index++) {
      const started = process.hrtime.bigint();
      const status = await once(url, headers);
      times[index] = Number(process.hrtime.bigint() - started) / 1e6;
      if (status !== expectStatus) unexpected++;
    }
    return { ...latencyPercentiles(times), unexpected };
  },
});
