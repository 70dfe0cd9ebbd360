// `pnpm --filter @keygate/bench instructions [fastify koa/keygate …]`: instructions per request of
// the HTTP variants under callgrind (http/instructions.ts), as a markdown table. Each argument
// picks variants by name prefix; none picks all. Slow (each server runs under valgrind): minutes.
import { stopChildrenOnExit } from './children.js';
import { hasCallgrind, runInstructions } from './http/instructions.js';
import { VARIANTS, variantName } from './http/variants.js';

stopChildrenOnExit();
if (!(await hasCallgrind())) {
  console.error('valgrind is not installed (apt-get install valgrind)');
  process.exit(1);
}
const filters = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const variants = VARIANTS.filter(
  (variant) =>
    filters.length === 0 || filters.some((filter) => variantName(variant).startsWith(filter)),
);
const quick = process.argv.includes('--quick');
const results = await runInstructions(
  {
    warmupRequests: quick ? 4_000 : 10_000,
    phaseRequests: quick ? 1_000 : 2_000,
    phases: quick ? 3 : 5,
  },
  (line) => console.error(line),
  variants,
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
