// Two reference servers on one Redis (KEYGATE_RATE_LIMITER=redis): a key limited to 100 per 3 s
// gets exactly 100 of 300 requests spread over both in `strict` mode and 100 to 110 in
// `approximate` mode, each refusal a 429 `rate_limited` with Retry-After and RateLimit fields, and
// is accepted again once the window has passed (docs/quotas.md, "Limiters").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRateLimitSettings } from '@keygate/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ReferenceServer,
  startReferenceServer,
} from '../../examples/src/admin/reference-server.js';
import { type Answer, send } from '../http/http-client.js';
import { redisBinariesAvailable } from './support/redis-env.js';
import {
  findFreePort,
  makeTempDir,
  type RedisServer,
  startRedisServer,
  stopRedisServer,
} from './support/redis-server.js';

const binaries = redisBinariesAvailable('rate limits over HTTP on two reference servers');
const WINDOW_MS = 3_000;
const LIMIT = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redis: RedisServer;
const folders: string[] = [];

beforeAll(async () => {
  if (!binaries) return;
  redis = await startRedisServer(await findFreePort(), makeTempDir('rate-limit-http'));
});

afterAll(async () => {
  if (redis !== undefined) await stopRedisServer(redis);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Two reference servers on the test's Redis, counting in `mode`. */
async function startPair(mode: 'strict' | 'approximate'): Promise<ReferenceServer[]> {
  const rateLimit = parseRateLimitSettings({ limiter: 'redis', mode }, (field) => field);
  const servers: ReferenceServer[] = [];
  for (let index = 0; index < 2; index++) {
    const cwd = mkdtempSync(join(tmpdir(), 'keygate-rate-limit-http-'));
    folders.push(cwd);
    servers.push(
      await startReferenceServer({ storeUrl: redis.url, port: 0, env: {}, cwd, rateLimit }),
    );
  }
  return servers;
}

/**
 * 300 requests, 10 at a time, alternating between the servers, all inside one window: it starts
 * just after a window boundary (windows are aligned to the epoch) and is repeated with a new key
 * when a slow machine let it run into the next window, where the limit is a different question.
 */
async function burst(servers: readonly ReferenceServer[]) {
  for (let attempt = 1; ; attempt++) {
    const { key } = await servers[0]!.keygate.keys.create({
      organisationId: servers[0]!.organisationId,
      name: `limited ${attempt}`,
      rateLimit: { limit: LIMIT, windowMs: WINDOW_MS },
    });
    await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 20);
    const window = Math.floor(Date.now() / WINDOW_MS);
    const answers: Answer[] = [];
    const acceptedBy = servers.map(() => 0);
    let next = 0;
    const worker = async () => {
      while (next < 300) {
        const index = next++ % servers.length;
        const answer = await send(`${servers[index]!.url}/api/sites`, {
          headers: { 'x-api-key': key },
        });
        answers.push(answer);
        if (answer.status === 200) acceptedBy[index]!++;
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    const endedAt = Date.now();
    if (Math.floor(endedAt / WINDOW_MS) === window || attempt === 3) {
      const inOneWindow = Math.floor(endedAt / WINDOW_MS) === window;
      if (!inOneWindow)
        console.warn('[rate-limit-http] 300 requests outlasted a window: bounds only');
      return { key, answers, acceptedBy, endedAt, inOneWindow };
    }
  }
}

function checkRefusals(answers: readonly Answer[]): void {
  for (const answer of answers) {
    if (answer.status === 200) {
      expect(answer.headers['ratelimit-policy']).toContain(`q=${LIMIT};w=${WINDOW_MS / 1000}`);
      continue;
    }
    expect(answer.status).toBe(429);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.json.code).toBe('rate_limited');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(answer.headers.ratelimit).toMatch(/r=0;t=\d+/);
  }
}

/** Waits a whole window after the burst, then one request on each server is accepted. */
async function acceptedAgain(servers: readonly ReferenceServer[], key: string, endedAt: number) {
  await sleep(Math.max(0, endedAt + WINDOW_MS + 100 - Date.now()));
  const statuses: number[] = [];
  for (const server of servers) {
    statuses.push(
      (await send(`${server.url}/api/sites`, { headers: { 'x-api-key': key } })).status,
    );
  }
  expect(statuses).toEqual([200, 200]);
}

describe.runIf(binaries)('a key limited to 100 per 3 s on two reference servers', () => {
  it('strict: exactly 100 of 300 accepted, then accepted again after the window', async () => {
    const servers = await startPair('strict');
    try {
      const { key, answers, acceptedBy, endedAt, inOneWindow } = await burst(servers);
      const accepted = answers.filter((answer) => answer.status === 200).length;
      checkRefusals(answers);
      // Both servers accepted a share of the one limit: neither counted alone.
      for (const share of acceptedBy) expect(share).toBeGreaterThan(0);
      if (inOneWindow) expect(accepted).toBe(LIMIT);
      else expect(accepted).toBeLessThanOrEqual(2 * LIMIT);
      await acceptedAgain(servers, key, endedAt);
    } finally {
      for (const server of servers) await server.close();
    }
  }, 60_000);

  it('approximate: 100 to 110 of 300 accepted, then accepted again after the window', async () => {
    const servers = await startPair('approximate');
    try {
      const { key, answers, endedAt, inOneWindow } = await burst(servers);
      const accepted = answers.filter((answer) => answer.status === 200).length;
      checkRefusals(answers);
      if (inOneWindow) {
        expect(accepted).toBeGreaterThanOrEqual(LIMIT);
        expect(accepted).toBeLessThanOrEqual(LIMIT * 1.1);
      }
      await acceptedAgain(servers, key, endedAt);
    } finally {
      for (const server of servers) await server.close();
    }
  }, 60_000);
});
