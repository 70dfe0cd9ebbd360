// The framework-free sites module shared by the Express, Koa and Fastify examples.

export { type SitesApp, type SitesAppOptions, sitesApp } from './app-options.js';
export {
  CAPACITY_UNITS,
  type CapacityUnit,
  newSite,
  type Site,
  type SiteInput,
  type SiteOwner,
} from './site.js';
export { type Checked, checkSiteInput, isUuid, parseJsonBody } from './site-input.js';
export {
  createSitesApi,
  INTERNAL_ERROR,
  MAX_BODY_BYTES,
  NOT_FOUND,
  problem,
  SITES_PATH,
  type SitesApi,
  type SitesApiRequest,
  type SitesApiResponse,
} from './sites-api.js';
export { MemorySitesRepository, type SitesRepository } from './sites-repository.js';
