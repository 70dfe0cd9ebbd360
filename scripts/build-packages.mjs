// Builds the keygate packages a root script needs (turbo, cached) before it runs, with turbo's
// output on stderr so that the script's own stdout stays clean (`pnpm -s keygate … | jq`). On a
// fresh clone the build takes minutes: say so first, rather than print nothing for that long.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const target = process.argv[2];
if (target === undefined) {
  console.error('usage: node scripts/build-packages.mjs <workspace package>');
  process.exit(2);
}

const root = new URL('../', import.meta.url);
const unbuilt = readdirSync(new URL('packages/', root)).filter(
  (name) => !existsSync(new URL(`packages/${name}/dist/`, root)),
);
if (unbuilt.length > 0) console.error('building keygate packages (first run: ~2 min)…');

const build = spawnSync(
  'turbo',
  ['run', 'build', `--filter=${target}...`, '--output-logs=errors-only'],
  { cwd: root, stdio: ['ignore', process.stderr, process.stderr] },
);
if (build.error !== undefined) {
  console.error(`could not run turbo: ${build.error.message}`);
  process.exit(1);
}
process.exit(build.status ?? 1);
