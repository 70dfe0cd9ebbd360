// `pnpm --filter @keygate/bench instructions [fastify koa/keygate serve quotas …] [--quick] [--warmup=N]`:
// instructions per request of the HTTP variants, of `keygate serve` and of the quota variants under callgrind
// (http/instructions.ts), as a markdown table. Each argument picks variants by name prefix; none
// picks all. Slow (each server runs under valgrind): minutes.
import { stopChildrenOnExit } from './children.js';
import {
  hasCallgrind,
  QUOTA_TARGETS,
  runInstructions,
  SERVE_TARGETS,
  variantTargets,
} from './http/instructions.js';
import { positiveOption } from './settings.js';

stopChildrenOnExit();
if (!(await hasCallgrind())) {
  console.error('valgrind is not installed (apt-get install valgrind)');
  process.exit(1);
}
const filters = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const targets = [...variantTargets(), ...SERVE_TARGETS, ...QUOTA_TARGETS].filter(
  (target) => filters.length === 0 || filters.some((filter) => target.name.startsWith(filter)),
);
const quick = process.argv.includes('--quick');
// `--warmup=N`: requests before the first measured phase. Under valgrind V8's optimising compiler
// runs on a thread that valgrind serialises with the server's, so a large function (the unrolled
// BLAKE3 compression) can settle after the default warm-up; the phases then fall one after another.
let warmup: number | undefined;
try {
  warmup = positiveOption(process.argv, '--warmup=');
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const results = await runInstructions(
  {
    warmupRequests: warmup ?? (quick ? 4_000 : 10_000),
    phaseRequests: quick ? 1_000 : 2_000,
    phases: quick ? 3 : 5,
  },
  (line) => console.error(line),
  targets,
);
const round = (value: number) => Math.round(value).toLocaleString('en');
console.log('| variant | instructions / request, main thread: median (min–max) | all threads |');
console.log('| --- | --- | --- |');
for (const result of results) {
  const { median, min, max } = result.perRequest;
  console.log(
    `| ${result.name} | ${round(median)} (${round(min)}–${round(max)}) | ${round(result.allThreadsPerRequest.median)} |`,
  );
}
process.exit(0);
