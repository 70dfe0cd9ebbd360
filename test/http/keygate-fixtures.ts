// Keygate set-ups for the tests: organisations, keys in every state, and stores that fail.
import {
  type ApiKeyRecord,
  createKeygate,
  generateApiKey,
  type Keygate,
  type KeyStore,
  MemoryKeyStore,
  type VerifierOptions,
} from '@keygate/core';

/** A keygate over a memory store that knows organisations `org_a`, `org_b` (active), `org_off`. */
export function testKeygate(options: Partial<VerifierOptions> = {}): {
  keygate: Keygate;
  store: MemoryKeyStore;
} {
  const store = new MemoryKeyStore();
  const active = new Set(['org_a', 'org_b']);
  const keygate = createKeygate({
    store,
    lastUsed: false,
    resolveOrganisation: (id) => (active.has(id) || id.startsWith('org_n') ? { id } : null),
    ...options,
  });
  return { keygate, store };
}

/** A well-formed live key that no store holds. */
export function unknownKey(): string {
  return generateApiKey().key;
}

/** Ways a store can fail on lookup. */
export const STORE_FAILURES = {
  throws: () => {
    throw new Error('connection refused');
  },
  rejects: () => Promise.reject(new Error('connection reset')),
  hangs: () => new Promise<never>(() => {}),
  'returns garbage': () => Promise.resolve({ id: 42, hash: null } as unknown as ApiKeyRecord),
  'returns a string': () => Promise.resolve('sk_live_not_a_record' as unknown as ApiKeyRecord),
} as const;

/** A store whose every lookup fails in the given way. */
export function failingStore(findByHash: () => Promise<ApiKeyRecord | null>): KeyStore {
  const store = new MemoryKeyStore();
  return new Proxy(store, {
    get(target, property) {
      if (property === 'findByHash') return findByHash;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
