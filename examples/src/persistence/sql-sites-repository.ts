// Sites in the example's own table, so that they outlive a restart of `pnpm start`.
import type { AnyKysely } from '@keygate/sql';
import {
  type CapacityUnit,
  newSite,
  type Site,
  type SiteInput,
  type SiteOwner,
  type SitesRepository,
} from '../sites/index.js';
import { SITES_TABLE } from './example-tables.js';

interface SiteRow {
  id: string;
  organisation_id: string;
  environment: string;
  site_name: string;
  capacity: number | string;
  unit: string;
  created_at: string;
}

/**
 * A {@link SitesRepository} on Kysely (SQLite, PostgreSQL or MySQL).
 *
 * @example
 * ```ts
 * const sites = new SqlSitesRepository(db);
 * await sites.create({ organisationId: 'org_1', environment: 'live' }, { siteName: 'Solar Farm Alpha', capacity: 1000, unit: 'kW' });
 * ```
 */
export class SqlSitesRepository implements SitesRepository {
  readonly #db: AnyKysely;

  constructor(db: AnyKysely) {
    this.#db = db;
  }

  async list(owner: SiteOwner): Promise<readonly Site[]> {
    const rows = (await this.#db
      .selectFrom(SITES_TABLE)
      .selectAll()
      .where('organisation_id', '=', owner.organisationId)
      .where('environment', '=', owner.environment)
      .orderBy('created_at')
      .orderBy('id')
      .execute()) as SiteRow[];
    return rows.map(toSite);
  }

  async get(owner: SiteOwner, siteId: string): Promise<Site | null> {
    const row = (await this.#db
      .selectFrom(SITES_TABLE)
      .selectAll()
      .where('organisation_id', '=', owner.organisationId)
      .where('environment', '=', owner.environment)
      .where('id', '=', siteId)
      .executeTakeFirst()) as SiteRow | undefined;
    return row === undefined ? null : toSite(row);
  }

  async create(owner: SiteOwner, input: SiteInput): Promise<Site> {
    const site = newSite(owner, input);
    await this.#db
      .insertInto(SITES_TABLE)
      .values({
        id: site.id,
        organisation_id: site.organisationId,
        environment: site.environment,
        site_name: site.siteName,
        capacity: site.capacity,
        unit: site.unit,
        created_at: site.createdAt,
      })
      .execute();
    return site;
  }
}

function toSite(row: SiteRow): Site {
  return Object.freeze({
    id: row.id,
    organisationId: row.organisation_id,
    environment: row.environment,
    siteName: row.site_name,
    capacity: Number(row.capacity),
    unit: row.unit as CapacityUnit,
    createdAt: row.created_at,
  });
}
