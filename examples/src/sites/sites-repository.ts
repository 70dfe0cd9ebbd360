// Where sites live: an interface the API code depends on, and an in-memory implementation (a
// persistent one can take its place without touching the HTTP code).
import { newSite, type Site, type SiteInput, type SiteOwner } from './site.js';

/** Sites, always read and written on behalf of one organisation in one key environment. */
export interface SitesRepository {
  /** The owner's sites, oldest first. */
  list(owner: SiteOwner): Promise<readonly Site[]>;
  /** One of the owner's sites, or `null` (also for another organisation's or environment's). */
  get(owner: SiteOwner, siteId: string): Promise<Site | null>;
  /** Creates a site for the owner. */
  create(owner: SiteOwner, input: SiteInput): Promise<Site>;
}

function ownerKey(owner: SiteOwner): string {
  return JSON.stringify([owner.organisationId, owner.environment]);
}

/**
 * Keeps sites in process memory, per organisation and environment.
 *
 * @example
 * ```ts
 * const sites = new MemorySitesRepository();
 * await sites.create({ organisationId: 'org_1', environment: 'live' }, { siteName: 'Solar Farm Alpha', capacity: 1000, unit: 'kW' });
 * ```
 */
export class MemorySitesRepository implements SitesRepository {
  readonly #byOrganisation = new Map<string, Map<string, Site>>();

  async list(owner: SiteOwner): Promise<readonly Site[]> {
    return [...(this.#byOrganisation.get(ownerKey(owner))?.values() ?? [])];
  }

  async get(owner: SiteOwner, siteId: string): Promise<Site | null> {
    return this.#byOrganisation.get(ownerKey(owner))?.get(siteId) ?? null;
  }

  async create(owner: SiteOwner, input: SiteInput): Promise<Site> {
    const site = newSite(owner, input);
    let sites = this.#byOrganisation.get(ownerKey(owner));
    if (sites === undefined) {
      sites = new Map();
      this.#byOrganisation.set(ownerKey(owner), sites);
    }
    sites.set(site.id, site);
    return site;
  }
}
