// Child processes of the bench: started pinned to one CPU, spoken to over IPC, and ended by their
// own pid only — on success, on error and on Ctrl-C.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The bench folder: children start there so that `--import tsx` resolves. */
export const BENCH_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));

const running = new Set<ChildProcess>();
let tasksetChecked: boolean | undefined;

function hasTaskset(): boolean {
  if (tasksetChecked === undefined) {
    tasksetChecked = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
    if (!tasksetChecked) console.warn('taskset is not available: processes are not pinned');
  }
  return tasksetChecked;
}

/** Where a child runs and how Node is started for it. */
export interface ChildOptions {
  /** The CPU to pin it to (`taskset -c`), or `undefined` to leave it free. */
  readonly cpu?: number;
  /** Extra Node flags (`--expose-gc`, `--max-old-space-size=…`). */
  readonly nodeFlags?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** A command that runs Node (`['valgrind', '--tool=callgrind', …]`), or none. */
  readonly wrapper?: readonly string[];
  /** The child is killed when it has not said `ready` within this time. */
  readonly startTimeoutMs?: number;
}

/** A started child that answers calls. */
export interface Child {
  readonly pid: number;
  /** What the child sent with `ready`. */
  readonly info: unknown;
  call<T>(type: string, payload: unknown, timeoutMs: number): Promise<T>;
  stop(): Promise<void>;
}

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

/** Starts `src/<script>` under tsx in a child process and waits for it to say `ready`. */
export async function startChild(
  script: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<Child> {
  const node = [
    ...(options.nodeFlags ?? []),
    '--import',
    'tsx',
    fileURLToPath(new URL(script, import.meta.url)),
    ...args,
  ];
  const command = [...(options.wrapper ?? []), process.execPath, ...node];
  const pinned = options.cpu !== undefined && hasTaskset();
  if (pinned) command.unshift('taskset', '-c', String(options.cpu));
  const child = spawn(command[0]!, command.slice(1), childSpawnOptions(options));
  running.add(child);
  child.once('exit', () => running.delete(child));

  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  child.on('message', (message: Reply | { type: 'ready' }) => {
    if ('id' in message) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new Error(`${script}: ${message.error}`));
    }
  });
  child.once('exit', (code, signal) =>
    failAll(new Error(`${script} exited (${signal ?? `code ${String(code)}`})`)),
  );

  const info = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => {
      stopChild(child);
      reject(new Error(`${script} did not start within ${options.startTimeoutMs ?? 120_000} ms`));
    }, options.startTimeoutMs ?? 120_000);
    const onMessage = (message: { type?: string; info?: unknown; error?: string }) => {
      if (message.type === 'ready' || message.type === 'failed') {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (message.type === 'ready') resolve(message.info);
        else {
          stopChild(child);
          reject(new Error(`${script}: ${message.error}`));
        }
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${String(code)} before it was ready`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });

  return {
    pid: child.pid!,
    info,
    call<T>(type: string, payload: unknown, timeoutMs: number): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script}: ${type} took longer than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ id, type, payload });
      });
    },
    stop: () => stopChild(child),
  };
}

function childSpawnOptions(options: ChildOptions) {
  return {
    cwd: BENCH_DIRECTORY,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ['ignore', 'inherit', 'inherit', 'ipc'],
  };
}

/** Ends one child by its pid: SIGTERM (it cleans up), then SIGKILL after 12 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Ends every child this process started (and only those), by pid. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map(stopChild));
}

/** On Ctrl-C, SIGTERM or an uncaught error: end our children, then exit. */
export function stopChildrenOnExit(): void {
  let bailing = false;
  const bail = (reason: string, code: number) => {
    if (bailing) return;
    bailing = true;
    console.error(`\nbench: ${reason}; stopping child processes`);
    stopAllChildren().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => bail('interrupted', 130));
  process.on('SIGTERM', () => bail('terminated', 143));
  process.on('uncaughtException', (error) => bail(`uncaught ${String(error?.stack ?? error)}`, 1));
  process.on('unhandledRejection', (error) => bail(`unhandled ${String(error)}`, 1));
  // A last resort: a normal exit with children still running (it should not happen).
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** In a child: answers the parent's calls with `handlers`, after `init` says it is ready. */
export async function serveParent(
  init: () => Promise<unknown> | unknown,
  handlers: Record<string, (payload: never) => Promise<unknown> | unknown>,
  cleanUp: () => Promise<void> | void = () => {},
): Promise<void> {
  if (process.send === undefined)
    throw new Error('this script runs as a child of bench/src/run.ts');
  const send = process.send.bind(process);
  // The parent going away (done, killed, Ctrl-C) takes us with it, after at most 10 s of clean-up
  // (dropping the tables and keys we made).
  let exiting = false;
  const exit = () => {
    if (exiting) return;
    exiting = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    Promise.resolve()
      .then(cleanUp)
      .catch((error: unknown) => console.error('bench: clean-up failed:', error))
      .finally(() => process.exit(0));
  };
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  let info: unknown;
  try {
    info = await init();
  } catch (error) {
    send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  process.on('message', async (message: { id: number; type: string; payload: unknown }) => {
    const handler = handlers[message.type];
    try {
      if (handler === undefined) throw new Error(`no handler for ${message.type}`);
      const value = await handler(message.payload as never);
      send({ id: message.id, ok: true, value });
    } catch (error) {
      send({
        id: message.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  });
  send({ type: 'ready', info });
}
