// The dual-package hazard: an application that loads @keygate/core as CommonJS while an adapter
// loads it as ESM (or the other way round) has two copies of core. requireScopes must still find
// the verifier of a context. Runs the built packages in a child process, as an application would.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./mixed-builds.mjs', import.meta.url));
const BUILDS = ['core', 'express', 'fastify'].map((name) =>
  fileURLToPath(new URL(`../../packages/${name}/dist/index.cjs`, import.meta.url)),
);

const MIXES = [
  ['cjs', 'express', 'esm'],
  ['esm', 'express', 'cjs'],
  ['cjs', 'fastify', 'esm'],
  ['esm', 'fastify', 'cjs'],
  ['esm', 'express', 'esm'],
] as const;

describe('core and an adapter from different builds', () => {
  it('has the built packages to load', () => {
    // Without a build there is nothing to test: say so rather than pass.
    expect(
      BUILDS.filter((build) => !existsSync(build)),
      'run pnpm build first',
    ).toEqual([]);
  });

  it.each(MIXES)(
    'core as %s, @keygate/%s as %s: requireScopes answers 200 and 403',
    async (core, adapter, build) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [SCRIPT, core, adapter, build],
        { cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 20_000 },
      );
      const statuses = JSON.parse(stdout) as Record<string, { status: number; body: string }>;
      expect(statuses.writer?.status).toBe(200);
      expect(statuses.reader?.status).toBe(403);
      expect(JSON.parse(statuses.reader?.body ?? '{}')).toMatchObject({
        code: 'insufficient_scope',
        missingScopes: ['sites:write'],
      });
    },
  );
});
