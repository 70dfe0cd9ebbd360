// Builds ESM and CJS for @keygate/core; tsc writes the declarations (tsconfig.build.json).
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: [
    'src/index.ts',
    'src/testing.ts',
    'src/fetch.ts',
    'src/management.ts',
    'src/adapter.ts',
    'src/secret-scanning.ts',
    'src/store.ts',
  ],
  format: ['esm', 'cjs'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
