// The error table is written in two documents (the README and docs/design.md, "Errors"): each
// lists every refusal class's code with its status, and no code that no class has. A new refusal
// is a class in errors.ts (listed in REFUSAL_CLASSES) and a row in each table; this test says
// which row is missing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFUSAL_CLASSES } from './errors.js';

const DOCUMENTS = ['../../../README.md', '../../../docs/design.md'] as const;

// The rows of a document's error table: `| 401 | \`code\` / \`code\` | when |`.
function tableRows(document: string): { status: number; codes: string[] }[] {
  const text = readFileSync(new URL(document, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => /^\| [45]\d\d \| `/.test(line))
    .map((line) => {
      const [, status, codes] = line.split('|');
      return {
        status: Number(status!.trim()),
        codes: [...codes!.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!),
      };
    });
}

describe.each(DOCUMENTS)('the error table of %s', (document) => {
  const rows = tableRows(document);

  it.each(REFUSAL_CLASSES.map((Refusal) => [Refusal.code, Refusal.status] as const))(
    'lists %s with status %i',
    (code, status) => {
      expect(rows.filter((row) => row.codes.includes(code)).map((row) => row.status)).toEqual([
        status,
      ]);
    },
  );

  it('lists no code that no refusal class has', () => {
    const known = new Set<string>(REFUSAL_CLASSES.map((Refusal) => Refusal.code));
    expect(rows.flatMap((row) => row.codes).filter((code) => !known.has(code))).toEqual([]);
  });
});
