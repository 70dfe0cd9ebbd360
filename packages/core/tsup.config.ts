// Builds @keygate/core's entry points (one per subpath) for any runtime (es2022).
import { defineConfig } from 'tsup';
import { packageBuild } from '../../scripts/tsup-package.mjs';

export default defineConfig(
  packageBuild(
    [
      'src/index.ts',
      'src/testing.ts',
      'src/fetch.ts',
      'src/management.ts',
      'src/adapter.ts',
      'src/secret-scanning.ts',
      'src/store.ts',
    ],
    'es2022',
  ),
);
