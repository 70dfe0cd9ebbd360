// Runs an example's server.ts in a child process (tsx, workspace sources, PORT=0), waits for its
// banner, and stops it: the examples are tested as users run them.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const examplesDirectory = fileURLToPath(new URL('../../examples/', import.meta.url));
const sourcesTsconfig = fileURLToPath(new URL('./tsx-sources.tsconfig.json', import.meta.url));

/** A running example and what it printed up to its "Press Ctrl+C" line. */
export interface SpawnedExample {
  readonly banner: string;
  stop(): Promise<void>;
}

/** Starts `examples/<entry>` and resolves once it printed its banner. */
export function spawnExample(
  entry: string,
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<SpawnedExample> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: examplesDirectory,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      TSX_TSCONFIG_PATH: sourcesTsconfig,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${entry} printed no banner in time:\n${output}\n${errors}`));
    }, timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer);
        resolve({ banner: output, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code}:\n${output}\n${errors}`));
    });
  });
}
