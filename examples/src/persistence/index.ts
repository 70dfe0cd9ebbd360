// The reference server's persistence: its own tables beside keygate's, in the same database.
export { generateAdminToken, SqlAdminTokens } from './admin-tokens.js';
export {
  ADMIN_TOKENS_TABLE,
  migrateExampleTables,
  ORGANISATIONS_TABLE,
  SITES_TABLE,
} from './example-tables.js';
export { SqlOrganisations, type StoredOrganisation } from './sql-organisations.js';
export { SqlSitesRepository } from './sql-sites-repository.js';
