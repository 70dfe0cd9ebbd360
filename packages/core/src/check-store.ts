// Checks, at start-up, that the store given to the verifier or the key manager fits the KeyStore
// interface: a store that does not is the integrator's mistake, so it throws a TypeError there
// rather than failing requests later.
import type { KeyStore } from './key-store.js';

const STORE_METHODS = [
  'insert',
  'findByHash',
  'findById',
  'listByOrganisation',
  'update',
  'delete',
  'recordLastUsed',
  'consumeCredits',
  'close',
] as const;

/** Checks that `store` has every method of the KeyStore interface. */
export function checkStore(store: unknown): KeyStore {
  if (typeof store !== 'object' || store === null) {
    throw new TypeError('@keygate/core: a KeyStore is required (for example new MemoryKeyStore())');
  }
  for (const method of STORE_METHODS) {
    if (typeof (store as Record<string, unknown>)[method] !== 'function') {
      throw new TypeError(`@keygate/core: the store lacks the KeyStore method ${method}()`);
    }
  }
  return store as KeyStore;
}
