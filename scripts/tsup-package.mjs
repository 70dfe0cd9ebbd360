// The tsup settings every keygate package builds with: ESM and CJS with source maps, and no
// declarations (tsc writes those with their maps, from each package's tsconfig.build.json).
// A package's tsup.config.ts names its entry points and, for core, its target.

/**
 * @param {string[]} entry the package's entry points (`src/index.ts`, …)
 * @param {string} [target] `node20` for Node-only packages; core, which runs anywhere, `es2022`
 */
export function packageBuild(entry, target = 'node20') {
  return { entry, format: ['esm', 'cjs'], dts: false, clean: true, sourcemap: true, target };
}
