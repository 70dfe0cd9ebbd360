#!/usr/bin/env node
// The `keygate` executable as installed: present before the build (so package managers can link
// it at install time), it runs the built CLI. In a clone of the repository that was not built yet,
// it says how to build rather than print a module-not-found trace.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../dist/bin.js', import.meta.url))) {
  console.error(
    'keygate: the CLI is not built yet; run `pnpm build` first (or `pnpm -s keygate …` at the repository root, which builds it)',
  );
  process.exit(1);
}
await import('../dist/bin.js');
