// Sites in the example's own table, so that they outlive a restart of `pnpm start`.
import type { AnyKysely } from '@keygate/sql';
import {
  type CapacityUnit,
  newSite,
  type Site,
  type SiteInput,
  type SitesRepository,
} from '../sites/index.js';
import { SITES_TABLE } from './example-tables.js';

interface SiteRow {
  id: string;
  organisation_id: string;
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
 * await sites.create('org_1', { siteName: 'Solar Farm Alpha', capacity: 1000, unit: 'kW' });
 * ```
 */
export class SqlSitesRepository implements SitesRepository {
  readonly #db: AnyKysely;

  constructor(db: AnyKysely) {
    this.#db = db;
  }

  async list(organisationId: string): Promise<readonly Site[]> {
    const rows = (await this.#db
      .selectFrom(SITES_TABLE)
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()) as SiteRow[];
    return rows.map(toSite);
  }

  async get(organisationId: string, siteId: string): Promise<Site | null> {
    const row = (await this.#db
      .selectFrom(SITES_TABLE)
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('id', '=', siteId)
      .executeTakeFirst()) as SiteRow | undefined;
    return row === undefined ? null : toSite(row);
  }

  async create(organisationId: string, input: SiteInput): Promise<Site> {
    const site = newSite(organisationId, input);
    await this.#db
      .insertInto(SITES_TABLE)
      .values({
        id: site.id,
        organisation_id: organisationId,
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
    siteName: row.site_name,
    capacity: Number(row.capacity),
    unit: row.unit as CapacityUnit,
    createdAt: row.created_at,
  });
}
