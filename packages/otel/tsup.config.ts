// Builds @keygate/otel with the settings every package shares (scripts/tsup-package.mjs).
import { defineConfig } from 'tsup';
import { packageBuild } from '../../scripts/tsup-package.mjs';

export default defineConfig(packageBuild(['src/index.ts']));
