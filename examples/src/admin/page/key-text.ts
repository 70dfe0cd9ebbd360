// How the page words a key's settings: windows and intervals ("per minute", "every 1d12h"),
// rate limits, credits and scopes. The same duration spellings as the CLI (docs/quotas.md).

const NAMED_WINDOWS: Readonly<Record<number, string>> = {
  1000: 'second',
  60000: 'minute',
  3600000: 'hour',
  86400000: 'day',
  604800000: 'week',
};

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** `1d12h`, `90s`: the largest units first. */
export function shortDuration(ms: number): string {
  let rest = ms;
  let text = '';
  for (const [unit, size] of UNITS) {
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text === '' ? '0' : text;
}

/** `per minute`, or `per 90s` for a window without a name. */
export function perWindow(ms: number): string {
  return `per ${NAMED_WINDOWS[ms] ?? shortDuration(ms)}`;
}

/** The option label of a window or interval: `minute`, or `90s`. */
export function windowName(ms: number): string {
  return NAMED_WINDOWS[ms] ?? shortDuration(ms);
}

const count = new Intl.NumberFormat();

/** `100 per minute`, or `No limit`. */
export function rateLimitText(rateLimit: { limit: number; windowMs: number } | null): string {
  return rateLimit === null
    ? 'No limit'
    : `${count.format(rateLimit.limit)} ${perWindow(rateLimit.windowMs)}`;
}

/** `480 credits left`, or `Not metered`. */
export function creditsText(credits: { remaining: number } | null): string {
  if (credits === null) return 'Not metered';
  return `${count.format(credits.remaining)} credit${credits.remaining === 1 ? '' : 's'} left`;
}

/** `refilled to 500 per day`. */
export function refillText(refill: { amount: number; intervalMs: number }): string {
  return `refilled to ${count.format(refill.amount)} ${perWindow(refill.intervalMs)}`;
}

/** Scopes as typed: separated by commas or spaces, each once, in the order given. */
export function parseScopes(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((scope) => scope !== ''))];
}
