// One test run for the whole workspace: unit tests beside the code, cross-package tests in test/.
// Workspace packages resolve to their TypeScript sources, so tests never run against stale builds.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@keygate\/core\/(testing|fetch|management|adapter|secret-scanning)$/,
        replacement: source('./packages/core/src/$1.ts'),
      },
      {
        find: /^@keygate\/(core|express|koa|fastify|hono|redis|sql|cli)$/,
        replacement: source('./packages/$1/src/index.ts'),
      },
    ],
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
