// A tiny in-memory organisation directory: what `resolveOrganisation` asks in the examples.
import type { Organisation } from '@keygate/core';

/** An organisation of the examples. */
export interface ExampleOrganisation {
  readonly id: string;
  readonly name: string;
  readonly active: boolean;
}

/**
 * Organisations by id; only active ones resolve.
 *
 * @example
 * ```ts
 * const organisations = new MemoryOrganisations();
 * organisations.add({ id: 'org_demo', name: 'Demo Organisation', active: true });
 * const keygate = createKeygate({ store, resolveOrganisation: organisations.resolve });
 * ```
 */
export class MemoryOrganisations {
  readonly #byId = new Map<string, ExampleOrganisation>();

  add(organisation: ExampleOrganisation): void {
    this.#byId.set(organisation.id, Object.freeze({ ...organisation }));
  }

  /** For `createKeygate({ resolveOrganisation })`: the active organisation, or `null`. */
  readonly resolve = (id: string): Organisation | null => {
    const organisation = this.#byId.get(id);
    return organisation?.active === true ? organisation : null;
  };
}
