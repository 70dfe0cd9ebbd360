// `keygate serve` as a process: it prints where it listens, checks keys, and on SIGTERM stops
// gracefully (exit code 0, even with a proxy's keep-alive connection open); bad options and a bad
// --config are usage errors (exit code 2) naming the problem, before anything listens.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLI_BIN,
  clearRedisNamespace,
  cliIsBuilt,
  keygate,
  REDIS_URL,
  redisReachable,
} from '../cli/cli-support.js';
import { uniqueNamespace } from '../redis/support/redis-env.js';

const namespace = uniqueNamespace('serve-process');
const env = { KEYGATE_STORE: REDIS_URL, KEYGATE_NAMESPACE: namespace };
const built = cliIsBuilt();
if (!built) {
  if (process.env.CI === 'true')
    throw new Error('packages/cli/dist/bin.js is missing: build first');
  console.warn('\n[skip] keygate serve process tests: the CLI is not built (pnpm build).\n');
}
const reachable = built && (await redisReachable());

afterAll(() => (reachable ? clearRedisNamespace(namespace) : undefined));

describe.runIf(reachable)('keygate serve (the process)', () => {
  it('serves checks and exits 0 on SIGTERM with a keep-alive connection open', async () => {
    const created = await keygate(['keys', 'create', '--org', 'org_p', '--name', 'p', '--json'], {
      env,
    });
    const { key } = JSON.parse(created.stdout) as { key: string };
    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${stdout}${stderr}`)), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /listening on (http:\/\/\S+) /.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      expect(stdout).toContain(`keys in redis://`);
      expect(stdout).not.toContain(key.slice(8));

      // A proxy's connection: kept alive after its answer.
      const agent = new Agent({ keepAlive: true });
      const status = await new Promise<number>((resolve, reject) => {
        request(`${url}/`, { agent, headers: { 'x-api-key': key } }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);

      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000)),
      ]);
      expect(code).toBe(0);
      expect(stderr).toContain('SIGTERM, shutting down');
      agent.destroy();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('keygate serve usage errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-serve-usage-'));

  it.each([
    [['serve', '--port', 'eighty'], '--port must be a port number'],
    [['serve', '--port', '70000'], '--port must be a port number'],
    [['serve', '--config', join(dir, 'missing.json')], 'missing.json: no such file'],
    [['serve', 'extra'], 'serve takes no arguments'],
    [['serve', '--org', 'x'], 'serve does not take --org'],
  ])('keygate %j fails with exit code 2: %s', async (args, message) => {
    const run = await keygate(args, { env: { KEYGATE_STORE: 'sqlite::memory:' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('names the field of a bad --config', async () => {
    const path = join(dir, 'keygate.serve.json');
    writeFileSync(path, JSON.stringify({ routes: [{ path: '/api', scope: ['x'] }] }));
    const run = await keygate(['serve', '--config', path], {
      env: { KEYGATE_STORE: 'sqlite::memory:' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('keygate.serve.json: routes[0].scope is not a setting');
  });
});
