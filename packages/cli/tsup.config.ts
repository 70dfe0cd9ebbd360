// Builds the keygate command (bin) and its programmatic entry.
import { defineConfig } from 'tsup';
import { packageBuild } from '../../scripts/tsup-package.mjs';

export default defineConfig(packageBuild(['src/index.ts', 'src/bin.ts']));
