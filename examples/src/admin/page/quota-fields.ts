// The "Limits" part of the create and edit forms: a rate limit (requests per window) and usage
// credits with an optional refill (docs/quotas.md). Empty fields mean none.

import { windowName } from './key-text.js';
import type { ManagedKey } from './page-api.js';

type RateLimit = NonNullable<ManagedKey['rateLimit']>;
type Refill = { amount: number; intervalMs: number };

/** The inputs of one form's limits, by the id prefix of that form (`create`, `edit`). */
export interface QuotaFields {
  readonly rate: HTMLInputElement;
  readonly rateWindow: HTMLSelectElement;
  readonly credits: HTMLInputElement;
  readonly refill: HTMLInputElement;
  readonly refillInterval: HTMLSelectElement;
}

/** A limit the form cannot send as it is; the message says which field and why. */
export class QuotaFieldError extends Error {}

/**
 * Puts a copy of the limits (`#limits-template`) in each form's `[data-limits="<prefix>"]`, its
 * ids and label references named after the form (`create-rate`, `edit-rate`). Called once.
 */
export function mountQuotaFields(): void {
  const template = document.getElementById('limits-template') as HTMLTemplateElement;
  for (const slot of Array.from(document.querySelectorAll<HTMLElement>('[data-limits]'))) {
    const copy = template.content.cloneNode(true) as DocumentFragment;
    for (const named of Array.from(copy.querySelectorAll('[id], [for], [aria-describedby]'))) {
      for (const attribute of ['id', 'for', 'aria-describedby']) {
        const value = named.getAttribute(attribute);
        if (value?.startsWith('limit-')) {
          named.setAttribute(attribute, `${slot.dataset.limits}-${value.slice('limit-'.length)}`);
        }
      }
    }
    slot.replaceWith(copy);
  }
}

export function quotaFields(prefix: string): QuotaFields {
  const input = <T extends HTMLElement>(name: string) =>
    document.getElementById(`${prefix}-${name}`) as T;
  return {
    rate: input('rate'),
    rateWindow: input('rate-window'),
    credits: input('credits'),
    refill: input('refill'),
    refillInterval: input('refill-interval'),
  };
}

function whole(input: HTMLInputElement, what: string, min: number): number | null {
  const text = input.value.trim();
  if (text === '') return null;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new QuotaFieldError(`${what} must be a whole number of at least ${min}.`);
  }
  return value;
}

/** The rate limit the form says, or `null` for none. */
export function readRateLimit(fields: QuotaFields): RateLimit | null {
  const limit = whole(fields.rate, 'The rate limit', 1);
  return limit === null ? null : { limit, windowMs: Number(fields.rateWindow.value) };
}

function readRefill(fields: QuotaFields): Refill | null {
  const amount = whole(fields.refill, 'The refill', 1);
  return amount === null ? null : { amount, intervalMs: Number(fields.refillInterval.value) };
}

/** The credits the form says (a balance and maybe a refill), or `null` for a key not metered. */
export function readCredits(
  fields: QuotaFields,
): { remaining: number; refill: Refill | null } | null {
  const remaining = whole(fields.credits, 'Credits', 0);
  const refill = readRefill(fields);
  if (remaining === null) {
    if (refill !== null) throw new QuotaFieldError('Set the credits before their refill.');
    return null;
  }
  return { remaining, refill };
}

// A window or interval set elsewhere (the CLI's 90s) gets its own option, so that it shows as it is.
function choose(select: HTMLSelectElement, ms: number): void {
  const value = String(ms);
  if (!Array.from(select.options).some((option) => option.value === value)) {
    select.add(new Option(windowName(ms), value));
  }
  select.value = value;
}

/** Fills the fields with a key's limits (or empties them), remembering them to spot changes. */
export function fillQuotaFields(fields: QuotaFields, key: ManagedKey | null): void {
  fields.rate.value = key?.rateLimit ? String(key.rateLimit.limit) : '';
  if (key?.rateLimit) choose(fields.rateWindow, key.rateLimit.windowMs);
  else fields.rateWindow.selectedIndex = 1;
  fields.credits.value = key?.credits ? String(key.credits.remaining) : '';
  const refill = key?.credits?.refill ?? null;
  fields.refill.value = refill === null ? '' : String(refill.amount);
  if (refill !== null) choose(fields.refillInterval, refill.intervalMs);
  else fields.refillInterval.selectedIndex = 1;
  for (const field of Object.values(fields) as (HTMLInputElement | HTMLSelectElement)[]) {
    field.dataset.shown = field.value;
  }
}

const changed = (field: HTMLInputElement | HTMLSelectElement) =>
  field.value !== field.dataset.shown;

/**
 * What an edit changes in a key's limits, for `PATCH`: only what the admin touched. The balance
 * is sent only when it was edited, so that credits used meanwhile are not given back.
 */
export function quotaChanges(
  fields: QuotaFields,
  key: ManagedKey,
): { rateLimit?: RateLimit | null; credits?: object | null } {
  const changes: { rateLimit?: RateLimit | null; credits?: object | null } = {};
  if (changed(fields.rate) || changed(fields.rateWindow)) changes.rateLimit = readRateLimit(fields);
  const credits = readCredits(fields);
  if (credits === null) {
    if (key.credits !== null) changes.credits = null;
    return changes;
  }
  const balance = changed(fields.credits) || key.credits === null;
  const refill = changed(fields.refill) || changed(fields.refillInterval) || key.credits === null;
  if (balance || refill) {
    changes.credits = {
      ...(balance ? { remaining: credits.remaining } : {}),
      ...(refill ? { refill: credits.refill } : {}),
    };
  }
  return changes;
}
