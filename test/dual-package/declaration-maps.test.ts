// Every published package ships declaration maps that lead into its own src/, and ships src/ with
// them (tests excluded), so that go-to-definition in an application lands in keygate's TypeScript,
// for `import` (.d.ts) and `require` (.d.cts) alike. Runs on the built packages (`pnpm test`
// builds first); a package that was not built is skipped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../packages/', import.meta.url));
const names = readdirSync(PACKAGES).filter((name) =>
  existsSync(join(PACKAGES, name, 'dist', 'index.d.ts')),
);

describe.each(names)('@keygate/%s', (name) => {
  const root = join(PACKAGES, name);
  const dist = join(root, 'dist');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    files: string[];
  };
  const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) =>
    /\.d\.c?ts\.map$/.test(file),
  );

  it('has a declaration map beside every declaration file', () => {
    const declarations = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) =>
      /\.d\.c?ts$/.test(file),
    );
    expect(declarations).toContain('index.d.cts');
    expect(maps.sort()).toEqual(declarations.map((file) => `${file}.map`).sort());
  });

  it('maps every declaration to a source file in src/ that the package publishes', () => {
    expect(manifest.files).toContain('src');
    expect(manifest.files).toContain('!src/**/*.test.ts');
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(dist, map), 'utf8')) as {
        sources: string[];
      };
      for (const source of sources) {
        const file = join(dist, dirname(map), source);
        expect(relative(root, file), map).toMatch(/^src\/.+\.ts$/);
        expect(existsSync(file), `${map} → ${source}`).toBe(true);
      }
    }
  });
});
