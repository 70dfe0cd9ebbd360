// Creates the demo organisation, one site and one API key, so a fresh server can be tried at once.
import type { Keygate } from '@keygate/core';
import type { SitesRepository } from '../sites/index.js';
import type { MemoryOrganisations } from './organisations.js';

/** The demo organisation's id. */
export const DEMO_ORGANISATION_ID = 'org_demo';

/** What {@link seedDemo} made. `key` is the secret: show it once. */
export interface DemoSeed {
  readonly organisationId: string;
  readonly organisationName: string;
  readonly key: string;
  readonly keyPrefix: string;
  readonly siteId: string;
}

/**
 * Seeds the demo organisation (active), a site and a key for it.
 *
 * @example
 * ```ts
 * const seed = await seedDemo({ keygate, sites, organisations });
 * console.log(seed.key); // shown once
 * ```
 */
export async function seedDemo(options: {
  readonly keygate: Pick<Keygate, 'keys'>;
  readonly sites: SitesRepository;
  readonly organisations: MemoryOrganisations;
}): Promise<DemoSeed> {
  const organisationName = 'Demo Organisation';
  options.organisations.add({ id: DEMO_ORGANISATION_ID, name: organisationName, active: true });
  const site = await options.sites.create(
    { organisationId: DEMO_ORGANISATION_ID, environment: 'live' },
    {
      siteName: 'Wind Park Beta',
      capacity: 12,
      unit: 'MW',
    },
  );
  const { key, record } = await options.keygate.keys.create({
    organisationId: DEMO_ORGANISATION_ID,
    name: 'Demo key',
  });
  return {
    organisationId: DEMO_ORGANISATION_ID,
    organisationName,
    key,
    keyPrefix: record.prefix,
    siteId: site.id,
  };
}
