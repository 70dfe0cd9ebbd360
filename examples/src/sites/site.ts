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

/** A site as the API returns it. */
export interface Site extends SiteInput {
  readonly id: string;
  readonly organisationId: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** A new site of `organisationId` made from checked input, with a fresh id and creation time. */
export function newSite(organisationId: string, input: SiteInput): Site {
  return Object.freeze({
    id: crypto.randomUUID(),
    organisationId,
    siteName: input.siteName,
    capacity: input.capacity,
    unit: input.unit,
    createdAt: new Date().toISOString(),
  });
}
