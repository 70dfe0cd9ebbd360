// Runs the keygate CLI for tests, in-process (fast, every store) or as the built executable, and
// says which real stores answer (locally an unreachable one is skipped with a message; on CI,
// `CI=true`, it fails instead).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from '@keygate/cli';
import { Redis } from 'ioredis';
import pg from 'pg';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const CLI_BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in this process with its own environment and standard input. */
export async function keygate(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; input?: string } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => options.input ?? '',
    env: { ...options.env },
  });
  return { code, stdout, stderr };
}

/** Runs the built `keygate` executable. */
export function keygateProcess(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {},
): Promise<CliRun> {
  return runCommand(process.execPath, [CLI_BIN, ...args], options);
}

/**
 * Runs a command with only PATH and the given environment, collecting what it prints; killed
 * after `timeoutMs` (default 20 s).
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: {
    env?: Record<string, string | undefined>;
    input?: string;
    cwd?: string;
    timeoutMs?: number;
  } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** True when the built executable is there (`pnpm test` builds before it runs vitest). */
export function cliIsBuilt(): boolean {
  return existsSync(CLI_BIN);
}

/** Parses a run's stdout as JSON, failing with what was printed when it is not. */
export function parsed<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
}

async function answers(check: () => Promise<void>, what: string): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (error) {
    const message = `${what} is unreachable (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.CI === 'true') throw new Error(`${message}; CI never skips it`);
    console.warn(`SKIPPED: ${message}; its CLI tests are skipped locally`);
    return false;
  }
}

/** Whether PostgreSQL at DATABASE_URL answers. */
export function postgresReachable(): Promise<boolean> {
  return answers(async () => {
    const client = new pg.Client({
      connectionString: DATABASE_URL,
      connectionTimeoutMillis: 2_000,
    });
    await client.connect();
    await client.end();
  }, `PostgreSQL at ${DATABASE_URL}`);
}

/** Whether Redis at REDIS_URL answers. */
export function redisReachable(): Promise<boolean> {
  return answers(async () => {
    const client = new Redis(REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 2_000,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  }, `Redis at ${REDIS_URL}`);
}

/** Drops a test table and keygate's migration tables beside it. */
export async function dropPostgresTable(table: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (const name of [
      table,
      `${table}_audit`,
      `${table}_usage`,
      `${table}_migrations`,
      `${table}_migrations_lock`,
    ]) {
      await client.query(`drop table if exists "${name}"`);
    }
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key of a namespace. */
export async function clearRedisNamespace(namespace: string): Promise<void> {
  const client = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `{${namespace}}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
