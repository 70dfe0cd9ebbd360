// What the figures were measured on: Node, CPU, and the version of every package involved.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BENCH_DIRECTORY } from './children.js';

/** The machine and software of a run. */
export interface Environment {
  readonly node: string;
  readonly v8: string;
  readonly os: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly commit: string;
  readonly packages: Record<string, string>;
}

function versionOf(directory: string, name: string): string | undefined {
  try {
    const manifest = JSON.parse(
      readFileSync(join(directory, 'node_modules', name, 'package.json'), 'utf8'),
    ) as { version?: string };
    return manifest.version;
  } catch {
    return undefined;
  }
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_DIRECTORY })
      .toString()
      .trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: BENCH_DIRECTORY }).length > 0;
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

/** Describes this machine and the installed packages. */
export function describeEnvironment(): Environment {
  const manifest = JSON.parse(readFileSync(join(BENCH_DIRECTORY, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const packages: Record<string, string> = {};
  for (const name of Object.keys(manifest.dependencies).sort()) {
    packages[name] = versionOf(BENCH_DIRECTORY, name) ?? 'missing';
  }
  const noble = versionOf(
    join(BENCH_DIRECTORY, 'node_modules', '@keygate', 'core'),
    '@noble/hashes',
  );
  if (noble !== undefined) packages['@noble/hashes'] = noble;
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    commit: commit(),
    packages,
  };
}
