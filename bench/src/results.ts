// The shape of a run's results, as written to bench/results/<timestamp>.json.
import type { CoreFigures, ScaleFigures } from './core/core-bench.js';
import type { Environment } from './environment.js';
import type { HttpResults } from './http/http-bench.js';
import type { ScanFigures } from './scan/scan-bench.js';
import type { ServeResults } from './serve/serve-bench.js';
import type { BenchSettings } from './settings.js';
import type { StoreFigures } from './stores/store-bench.js';

/** Bytes per key at one store size. */
export interface MemoryFigures {
  readonly size: number;
  readonly storeBytesPerKey: number;
  readonly cacheBytesPerEntry: number;
}

/** The core section. */
export interface CoreResults {
  readonly hashing: CoreFigures;
  /** Store lookups made while refusing malformed and bad-checksum keys (must be 0). */
  readonly storeLookupsForBadKeys: number;
  readonly scales: readonly ScaleFigures[];
  readonly memory: readonly MemoryFigures[];
}

/** A store measured, or why it was not. */
export type StoreOutcome =
  | ({ readonly name: string; readonly where: string } & StoreFigures)
  | { readonly name: string; readonly skipped: string };

/** One target of issue 7 and how this run did against it. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  /** `undefined` when this run did not measure it. */
  readonly met: boolean | undefined;
}

/** Everything one run measured. */
export interface BenchResults {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly settings: Omit<BenchSettings, 'sections'> & { readonly sections: string[] };
  readonly environment: Environment;
  readonly core: CoreResults | undefined;
  readonly http: HttpResults | undefined;
  readonly stores: readonly StoreOutcome[] | undefined;
  /** `keygate scan` throughput (absent in runs from before it existed). */
  readonly scan?: ScanFigures | undefined;
  /** `keygate serve` (forward auth). */
  readonly serve?: ServeResults | undefined;
  readonly targets: readonly TargetCheck[];
}
