// How long and how often each section measures: the full run (at most ~10 minutes) or the quick
// development run (`BENCH_QUICK=1` or `--quick`).

/** The knobs of one run. */
export interface BenchSettings {
  readonly quick: boolean;
  /** Rounds per figure; each figure is the median of these. */
  readonly rounds: number;
  /** Core: milliseconds each operation runs in one round. */
  readonly coreRoundMs: number;
  /** Core: store sizes, in keys. */
  readonly storeSizes: readonly number[];
  /** Core: sizes whose memory per key is measured (each in a child process of its own). */
  readonly memorySizes: readonly number[];
  /** HTTP: seconds of load per variant and round. */
  readonly httpRoundSeconds: number;
  /** HTTP: seconds of warm-up load per variant before the first round. */
  readonly httpWarmupSeconds: number;
  /** HTTP: concurrent connections of the load generator. */
  readonly connections: number;
  /** HTTP: rounds (more than elsewhere: one HTTP round in five is hit by a neighbour). */
  readonly httpRounds: number;
  /** HTTP: the load generator (`--load=wrk` for the cross-check). */
  readonly loadTool: 'autocannon' | 'wrk';
  /**
   * HTTP: the variants measured, by name prefix (`--variants=fastify/minimal,fastify/keygate`);
   * empty for all. Fewer variants make a round shorter, so a pair is measured closer together.
   */
  readonly httpVariants: readonly string[];
  /** Stores: sequential verifications per round (for p50/p99 with one in flight). */
  readonly storeSequentialCalls: number;
  /** Stores: milliseconds of the 50-in-flight throughput run per round. */
  readonly storeConcurrentMs: number;
  /** Stores: verifications in flight in the throughput run. */
  readonly storeInFlight: number;
  /** Scan: megabytes of text per round. */
  readonly scanMegabytes: number;
  /** Which sections run (`--only=core,http,stores,serve,scan`). */
  readonly sections: ReadonlySet<Section>;
}

export type Section = 'core' | 'http' | 'stores' | 'serve' | 'scan';
const SECTIONS: readonly Section[] = ['core', 'http', 'stores', 'serve', 'scan'];

/** Reads the settings from `argv` and the environment. */
export function readSettings(argv: readonly string[], env: NodeJS.ProcessEnv): BenchSettings {
  const quick =
    argv.includes('--quick') || ((env.BENCH_QUICK ?? '') !== '' && env.BENCH_QUICK !== '0');
  const only = argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length);
  const sections = new Set<Section>(
    only === undefined
      ? SECTIONS
      : only.split(',').filter((name): name is Section => SECTIONS.includes(name as Section)),
  );
  if (sections.size === 0) throw new TypeError(`--only takes ${SECTIONS.join(', ')}`);
  return Object.freeze({
    quick,
    rounds: quick ? 3 : 5,
    coreRoundMs: quick ? 120 : 400,
    storeSizes: quick ? [1_000, 100_000] : [1_000, 100_000, 1_000_000],
    memorySizes: quick ? [100_000] : [100_000, 1_000_000],
    httpRoundSeconds: quick ? 2 : 3,
    httpWarmupSeconds: quick ? 1 : 2,
    connections: 50,
    httpRounds: positiveOption(argv, '--http-rounds=') ?? (quick ? 3 : 7),
    loadTool: argv.includes('--load=wrk') ? 'wrk' : 'autocannon',
    httpVariants: (argv.find((argument) => argument.startsWith('--variants='))?.slice(11) ?? '')
      .split(',')
      .filter((name) => name !== ''),
    storeSequentialCalls: quick ? 500 : 2_000,
    storeConcurrentMs: quick ? 700 : 2_000,
    storeInFlight: 50,
    scanMegabytes: quick ? 32 : 128,
    sections,
  });
}

/** `--name=N` as a positive whole number, or undefined when absent; throws a TypeError otherwise. */
export function positiveOption(argv: readonly string[], prefix: string): number | undefined {
  const argument = argv.find((candidate) => candidate.startsWith(prefix));
  if (argument === undefined) return undefined;
  const value = Number(argument.slice(prefix.length));
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${prefix.slice(0, -1)} takes a positive whole number`);
  }
  return value;
}
