// Where sites live: an interface the API code depends on, and an in-memory implementation (a
// persistent one can take its place without touching the HTTP code).
import { newSite, type Site, type SiteInput } from './site.js';

/** Sites, always read and written on behalf of one organisation. */
export interface SitesRepository {
  /** The organisation's sites, oldest first. */
  list(organisationId: string): Promise<readonly Site[]>;
  /** One of the organisation's sites, or `null` (also for another organisation's site). */
  get(organisationId: string, siteId: string): Promise<Site | null>;
  /** Creates a site for the organisation. */
  create(organisationId: string, input: SiteInput): Promise<Site>;
}

/**
 * Keeps sites in process memory, per organisation.
 *
 * @example
 * ```ts
 * const sites = new MemorySitesRepository();
 * await sites.create('org_1', { siteName: 'Solar Farm Alpha', capacity: 1000, unit: 'kW' });
 * ```
 */
export class MemorySitesRepository implements SitesRepository {
  readonly #byOrganisation = new Map<string, Map<string, Site>>();

  async list(organisationId: string): Promise<readonly Site[]> {
    return [...(this.#byOrganisation.get(organisationId)?.values() ?? [])];
  }

  async get(organisationId: string, siteId: string): Promise<Site | null> {
    return this.#byOrganisation.get(organisationId)?.get(siteId) ?? null;
  }

  async create(organisationId: string, input: SiteInput): Promise<Site> {
    const site = newSite(organisationId, input);
    let sites = this.#byOrganisation.get(organisationId);
    if (sites === undefined) {
      sites = new Map();
      this.#byOrganisation.set(organisationId, sites);
    }
    sites.set(site.id, site);
    return site;
  }
}
