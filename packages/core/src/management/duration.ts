// Durations as people type them ("30d", "12h", "1d12h", "0"), shared by the management handler
// and the CLI so that both accept exactly the same spellings.

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const WHOLE = /^(?:\d{1,9}(?:ms|s|m|h|d|w))+$/;
const PART = /(\d{1,9})(ms|s|m|h|d|w)/g;

/**
 * Milliseconds in a duration such as `30d`, `12h`, `90m`, `1d12h` or `0`, or `undefined` when the
 * text is not one. Units: `ms`, `s`, `m`, `h`, `d`, `w`.
 *
 * @example
 * ```ts
 * parseDuration('1d12h'); // 129_600_000
 * parseDuration('soon'); // undefined
 * ```
 */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '0') return 0;
  if (!WHOLE.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as string]!;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * A duration written the short way (`7d`, `1d12h`, `90s`): the largest units first, for messages.
 *
 * @example
 * ```ts
 * formatDuration(129_600_000); // '1d12h'
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  let rest = ms;
  let text = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit]!;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text;
}
