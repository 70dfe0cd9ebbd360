// `examples/src/start.ts` as `pnpm start` runs it: the first start seeds and prints the demo key,
// the admin sign-in link and curl commands that work; a later start prints the sign-in again but
// never the old key.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const TSX = join(EXAMPLES, 'node_modules', '.bin', 'tsx');

interface Started {
  readonly child: ChildProcess;
  readonly output: string;
}

function start(cwd: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    // INIT_CWD is what pnpm sets to where `pnpm start` was typed; the SQLite file lives there.
    const child = spawn(TSX, ['src/start.ts'], {
      cwd: EXAMPLES,
      env: { PATH: process.env.PATH, PORT: '0', INIT_CWD: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`start.ts did not start in time:\n${output}`));
    }, 30_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer);
        resolve({ child, output });
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start.ts exited with ${code}:\n${output}`));
    });
  });
}

function stop({ child }: Started): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

// Runs a printed curl command with fetch: the same URL, headers and body.
async function runCurl(command: string): Promise<Response> {
  const url = /"(http:[^"]+)"/.exec(command)![1]!;
  const headers = Object.fromEntries(
    [...command.matchAll(/-H "([^:]+): ([^"]+)"/g)].map((match) => [match[1]!, match[2]!]),
  );
  const body = /-d '([^']+)'/.exec(command)?.[1];
  return fetch(url, {
    method: command.includes('-X POST') ? 'POST' : 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

describe('pnpm start (examples/src/start.ts)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'keygate-start-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('seeds on the first start, and prints only the sign-in on the next', async () => {
    const first = await start(directory);
    try {
      const key = /^ {2}(sk_live_[A-Za-z0-9_-]{48})$/m.exec(first.output)?.[1];
      expect(key, first.output).toBeDefined();
      expect(first.output).toContain('Organisation: Demo Organisation (org_demo)');
      expect(first.output).toMatch(/http:\/\/127\.0\.0\.1:\d+\/#token=kga_[A-Za-z0-9_-]{43}/);
      const commands = first.output.split('\n# ').slice(1);
      expect(commands.map((command) => command.split('\n')[0])).toEqual([
        'Get all sites',
        'Get a specific site',
        'Create a new site',
      ]);
      const [all, one, created] = await Promise.all(commands.map(runCurl));
      expect(all!.status).toBe(200);
      expect(one!.status).toBe(200);
      expect(await one!.json()).toMatchObject({ siteName: 'Wind Park Beta' });
      expect(created!.status).toBe(201);
      expect(await created!.json()).toMatchObject({
        siteName: 'Solar Farm Alpha',
        capacity: 1000,
        unit: 'kW',
      });
    } finally {
      await stop(first);
    }

    const second = await start(directory);
    try {
      expect(second.output).not.toMatch(/sk_live_[A-Za-z0-9_-]{48}/);
      expect(second.output).toContain('shown at the first start only');
      expect(second.output).toMatch(/#token=kga_[A-Za-z0-9_-]{43}/);
      const url = /reference server on (http:\/\/127\.0\.0\.1:\d+)/.exec(second.output)![1]!;
      // The new sign-in token works; the previous start's token was replaced.
      const token = /#token=(kga_[A-Za-z0-9_-]{43})/.exec(second.output)![1]!;
      const signIn = await fetch(`${url}/admin/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect(signIn.status).toBe(200);
      expect(signIn.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    } finally {
      await stop(second);
    }
  }, 90_000);
});
