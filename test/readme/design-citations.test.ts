// Every citation of docs/design.md in the repository (`docs/design.md, "Verification"` or
// `"Observability" in docs/design.md`, in code comments and docs) names a section that the page
// has, and nothing cites the design by a file outside the repository (`DESIGN.md`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const design = readFileSync(join(ROOT, 'docs/design.md'), 'utf8');
const sections = new Set(
  design
    .split('\n')
    .filter((line) => line.startsWith('## '))
    .map((line) => line.slice(3).trim()),
);

// Tracked and untracked-but-not-ignored files, as they are in the working tree.
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => /\.(ts|tsx|mts|mjs|js|md)$/.test(file) && !file.startsWith('.changeset/'));

interface Citation {
  readonly file: string;
  readonly section: string;
}

function citationsIn(file: string): Citation[] {
  // Comments wrap: join the lines, dropping the comment markers.
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/\n\s*(?:\/\/|\*)?\s*/g, ' ');
  const found: Citation[] = [];
  for (const match of text.matchAll(/docs\/design\.md,\s*"([^"]+)"/g))
    found.push({ file, section: match[1]! });
  for (const match of text.matchAll(/"([^"]+)"\s+in\s+docs\/design\.md/g))
    found.push({ file, section: match[1]! });
  return found;
}

const citations = files.flatMap(citationsIn);

describe('docs/design.md citations', () => {
  it('are found (the scan works)', () => {
    expect(citations.length).toBeGreaterThan(10);
    expect(sections).toContain('Verification');
  });

  it.each(citations)('$file cites "$section", a section of docs/design.md', ({ section }) => {
    expect([...sections]).toContain(section);
  });

  it('never cites DESIGN.md, a file outside the repository', () => {
    const citing = files.filter(
      (file) =>
        file !== 'test/readme/design-citations.test.ts' &&
        /DESIGN\.md|DESIGN §/.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(citing).toEqual([]);
  });
});
