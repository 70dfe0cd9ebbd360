// After `tsc` has emitted a package's declarations (`.d.ts` with declaration maps) into dist/,
// writes the CommonJS twin of each (`.d.cts`, relative imports to `.cjs`, its own `.d.cts.map`),
// so that `require` resolves types of the CommonJS format and go-to-definition lands in src/ for
// both. Usage, from a package folder: node ../../scripts/cts-declarations.mjs dist
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const root = process.argv[2];
if (root === undefined) {
  console.error('usage: node cts-declarations.mjs <dist folder>');
  process.exit(2);
}

// A relative specifier ending in `.js`, in `from '…'`, `import '…'` or `import('…')`.
const RELATIVE_JS = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.js(['"])/g;

for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const file = join(entry.parentPath, entry.name);
  const name = basename(file, '.d.ts');
  const declarations = readFileSync(file, 'utf8')
    .replace(RELATIVE_JS, '$1$2.cjs$3')
    .replace(`//# sourceMappingURL=${name}.d.ts.map`, `//# sourceMappingURL=${name}.d.cts.map`);
  writeFileSync(join(entry.parentPath, `${name}.d.cts`), declarations);
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
  map.file = `${name}.d.cts`;
  writeFileSync(join(entry.parentPath, `${name}.d.cts.map`), JSON.stringify(map));
}
