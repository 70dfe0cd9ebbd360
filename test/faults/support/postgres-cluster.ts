// A throwaway PostgreSQL cluster for the fault suite: initdb into a temp folder and pg_ctl run as
// user postgres (root cannot run postgres), on a spare port; killed, stalled and resumed by the
// pids of its own processes only, never by name.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A cluster this suite owns. */
export interface PostgresCluster {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
}

/** The Debian binaries' folder (`/usr/lib/postgresql/<version>/bin`), or `undefined`. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  for (const version of readdirSync(root).sort().reverse()) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

// Asynchronous on purpose: the servers under test share this process, and a blocked event loop
// would show up as their slowness.
function asPostgres(bin: string, command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} failed (${code}): ${output}`));
    });
  });
}

/** initdb (trust, no fsync) into a new temp folder, then starts the cluster on `port`. */
export async function startPostgresCluster(port: number): Promise<PostgresCluster> {
  const bin = postgresBinaries();
  if (bin === undefined) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'keygate-faults-pg-'));
  const postgresUser = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
  const postgresGroup = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
  chownSync(dir, Number(postgresUser), Number(postgresGroup));
  await asPostgres(bin, 'initdb', [
    '-D',
    join(dir, 'data'),
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
  ]);
  const cluster = { port, url: `postgres://postgres@127.0.0.1:${port}/postgres`, dir };
  await resumePostgres(cluster);
  return cluster;
}

/** Starts (again) a stopped cluster and waits until it accepts connections. */
export async function resumePostgres(cluster: PostgresCluster): Promise<void> {
  const bin = postgresBinaries()!;
  await asPostgres(bin, 'pg_ctl', [
    '-D',
    join(cluster.dir, 'data'),
    '-l',
    join(cluster.dir, 'postgres.log'),
    '-o',
    `-p ${cluster.port} -k ${cluster.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`,
    '-w',
    '-t',
    '60',
    'start',
  ]);
}

/** The postmaster's pid and those of its children (backends, background workers). */
export function postgresPids(cluster: PostgresCluster): number[] {
  const pidFile = join(cluster.dir, 'data', 'postmaster.pid');
  if (!existsSync(pidFile)) return [];
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(postmaster) || postmaster <= 0) return [];
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after it.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === postmaster) pids.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return pids;
}

/** SIGKILLs every process of the cluster (a crash, a pulled plug) and waits until they are gone. */
export async function killPostgres(cluster: PostgresCluster): Promise<void> {
  const pids = postgresPids(cluster);
  signalAll(pids, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(20);
}

/** Freezes (SIGSTOP) or thaws (SIGCONT) every process of the cluster. */
export function stallPostgres(cluster: PostgresCluster, stalled: boolean): void {
  signalAll(postgresPids(cluster), stalled ? 'SIGSTOP' : 'SIGCONT');
}

/** Stops the cluster for good and removes its folder. */
export async function removePostgresCluster(cluster: PostgresCluster): Promise<void> {
  stallPostgres(cluster, false);
  await killPostgres(cluster);
  rmSync(cluster.dir, { recursive: true, force: true });
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
