// Entry point of `@keygate/core/store`: what every KeyStore implementation shares (paging, the
// cursor, last-used batches, the record check), so that a store is only its database's glue.

export { isApiKeyRecord } from './record-shape.js';
export { latestUsePerId } from './store/latest-use.js';
export {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  isAfterCursor,
  MAX_PAGE_SIZE,
  type PageCursor,
  pageOf,
  pageSize,
} from './store/pagination.js';
