// Builds ESM and CJS for @keygate/sql; tsc writes the declarations (tsconfig.build.json).
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
