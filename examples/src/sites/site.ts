// What a site is, and the units a capacity is given in (the reference platform's sites API).

/** Units a site's capacity can be given in. */
export const CAPACITY_UNITS = ['W', 'kW', 'MW', 'GW'] as const;

/** One of {@link CAPACITY_UNITS}. */
export type CapacityUnit = (typeof CAPACITY_UNITS)[number];

/** What a client sends to create a site. */
export interface SiteInput {
  readonly siteName: string;
  readonly capacity: number;
  readonly unit: CapacityUnit;
}

/**
 * Whose data a request reads and writes: an organisation in one key environment. A `sk_test_`
 * key sees the organisation's test sites only, a live key its live sites (as Stripe keeps test
 * and live data apart).
 */
export interface SiteOwner {
  readonly organisationId: string;
  readonly environment: string;
}

/** A site as the API returns it. */
export interface Site extends SiteInput {
  readonly id: string;
  readonly organisationId: string;
  /** The key environment the site was created in (`live`, `test`). */
  readonly environment: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** A new site of `owner` made from checked input, with a fresh id and creation time. */
export function newSite(owner: SiteOwner, input: SiteInput): Site {
  return Object.freeze({
    id: crypto.randomUUID(),
    organisationId: owner.organisationId,
    environment: owner.environment,
    siteName: input.siteName,
    capacity: input.capacity,
    unit: input.unit,
    createdAt: new Date().toISOString(),
  });
}
