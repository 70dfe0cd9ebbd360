// Which characters a name shown in a terminal, a log or a table must not carry: they would move
// the cursor, clear the screen, ring the bell, end a line, or reorder the text around them.

/**
 * C0 and C1 controls (newline, tab, ESC, BEL, DEL, CSI …), line and paragraph separators, and
 * the bidirectional marks and overrides that make text display in another order than it reads.
 *
 * @example
 * ```ts
 * UNPRINTABLE_CHARACTER.test('ok\u001b[2J'); // true
 * ```
 */
export const UNPRINTABLE_CHARACTER =
  /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

const UNPRINTABLE_CHARACTERS = new RegExp(UNPRINTABLE_CHARACTER.source, 'gu');

/**
 * `text` with every unprintable character written as an escape (`\x1b`, `\n`, `\u202e`), so that
 * it can be printed as it is: nothing in it acts on the terminal.
 *
 * @example
 * ```ts
 * escapeUnprintable('a\u001b[2Jb\n'); // 'a\\x1b[2Jb\\n'
 * ```
 */
export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE_CHARACTERS, (character) => {
    if (character === '\n') return '\\n';
    if (character === '\r') return '\\r';
    if (character === '\t') return '\\t';
    const code = character.codePointAt(0)!;
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
