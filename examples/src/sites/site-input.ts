// Validation of what clients send: the site body and the siteId query parameter.
import { CAPACITY_UNITS, type CapacityUnit, type SiteInput } from './site.js';

/** A checked value, or why it was refused (a sentence for the problem `detail`). */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly detail: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_SITE_NAME_LENGTH = 200;

/** True for a UUID in its canonical 8-4-4-4-12 hexadecimal form. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Checks a parsed JSON body: `{ siteName, capacity, unit }` and nothing odd. */
export function checkSiteInput(body: unknown): Checked<SiteInput> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse('The body must be a JSON object with siteName, capacity and unit.');
  }
  const { siteName, capacity, unit } = body as Record<string, unknown>;
  if (typeof siteName !== 'string' || siteName.trim().length === 0) {
    return refuse('siteName must be a non-empty string.');
  }
  const name = siteName.trim();
  if (name.length > MAX_SITE_NAME_LENGTH) {
    return refuse(`siteName must be at most ${MAX_SITE_NAME_LENGTH} characters.`);
  }
  if (typeof capacity !== 'number' || !Number.isFinite(capacity) || capacity <= 0) {
    return refuse('capacity must be a positive number.');
  }
  if (typeof unit !== 'string' || !(CAPACITY_UNITS as readonly string[]).includes(unit)) {
    return refuse(`unit must be one of ${CAPACITY_UNITS.join(', ')}.`);
  }
  return { ok: true, value: { siteName: name, capacity, unit: unit as CapacityUnit } };
}

/** Parses a request body that must be JSON: checks the content type, then the syntax. */
export function parseJsonBody(contentType: string | undefined, text: string): Checked<unknown> {
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return refuse('Send the body as JSON, with Content-Type: application/json.');
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return refuse('The body is not valid JSON.');
  }
}

function refuse(detail: string): { readonly ok: false; readonly detail: string } {
  return { ok: false, detail };
}
