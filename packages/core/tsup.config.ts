// Builds ESM, CJS and type declarations for @keygate/core.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: [
    'src/index.ts',
    'src/testing.ts',
    'src/fetch.ts',
    'src/management.ts',
    'src/adapter.ts',
    'src/secret-scanning.ts',
  ],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
