// One test run for the whole workspace: unit tests beside the code, cross-package tests in test/.
// Workspace packages resolve to their TypeScript sources, so tests never run against stale builds.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

interface PackageJson {
  readonly name: string;
  readonly exports?: Readonly<
    Record<string, string | { readonly import?: { readonly default?: string } }>
  >;
}

const PACKAGES = new URL('./packages/', import.meta.url);

/**
 * An exact alias for every entry point each package exports (`@keygate/core/store` →
 * `packages/core/src/store.ts`), read from its package.json: its built file `./dist/x.js` is
 * built from `./src/x.ts`. A new package or subpath needs no change here.
 */
function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const directory of readdirSync(PACKAGES, { withFileTypes: true })) {
    if (!directory.isDirectory()) continue;
    const root = new URL(`${directory.name}/`, PACKAGES);
    const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as PackageJson;
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const built = typeof target === 'string' ? target : target.import?.default;
      if (built === undefined || !/^\.\/dist\/.+\.js$/.test(built)) continue;
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      const source = built.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts');
      aliases.push({
        find: new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
        replacement: fileURLToPath(new URL(source, root)),
      });
    }
  }
  return aliases;
}

export default defineConfig({
  resolve: {
    alias: workspaceAliases(),
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // The JSON report gives CI its one-line summary (scripts/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Store suites share real servers; files run in parallel but isolate their data.
    fileParallelism: true,
  },
});
