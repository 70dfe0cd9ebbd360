// Organisations in the example's own table: `resolveOrganisation` answers only for active ones,
// so a key whose organisation is unknown or deactivated is refused with `missing_organisation`.
import type { Organisation } from '@keygate/core';
import type { AnyKysely } from '@keygate/sql';
import { ORGANISATIONS_TABLE } from './example-tables.js';

/** An organisation of the reference server. */
export interface StoredOrganisation {
  readonly id: string;
  readonly name: string;
  readonly active: boolean;
}

/**
 * Reads and writes organisations.
 *
 * @example
 * ```ts
 * const organisations = new SqlOrganisations(db);
 * const keygate = createKeygate({ store, resolveOrganisation: organisations.resolve });
 * ```
 */
export class SqlOrganisations {
  readonly #db: AnyKysely;

  constructor(db: AnyKysely) {
    this.#db = db;
  }

  async add(organisation: StoredOrganisation): Promise<void> {
    await this.#db
      .insertInto(ORGANISATIONS_TABLE)
      .values({
        id: organisation.id,
        name: organisation.name,
        active: organisation.active ? 1 : 0,
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  async find(id: string): Promise<StoredOrganisation | null> {
    const row = await this.#db
      .selectFrom(ORGANISATIONS_TABLE)
      .select(['id', 'name', 'active'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined
      ? null
      : { id: String(row.id), name: String(row.name), active: Number(row.active) === 1 };
  }

  /** Turns an organisation on or off; `false` when there is none. */
  async setActive(id: string, active: boolean): Promise<boolean> {
    const result = await this.#db
      .updateTable(ORGANISATIONS_TABLE)
      .set({ active: active ? 1 : 0 })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** For `createKeygate({ resolveOrganisation })`: the active organisation, or `null`. */
  readonly resolve = async (id: string): Promise<Organisation | null> => {
    const organisation = await this.find(id);
    return organisation?.active === true ? { id: organisation.id } : null;
  };
}
