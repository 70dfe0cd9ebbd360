// Stores full of keys, made the way an application makes them (`keys.create`), for the core
// benchmarks and the memory measurement.
import { createKeygate, generateApiKey, type Keygate, MemoryKeyStore } from '@keygate/core';

/** Ten keys per organisation, as a platform with many small customers would have. */
export const KEYS_PER_ORGANISATION = 10;

/** A memory store holding `count` keys, and the keys (plaintext, for verifying). */
export interface FilledStore {
  readonly store: MemoryKeyStore;
  readonly keys: string[];
}

/** Creates `count` keys through a key manager into a new memory store. */
export async function fillMemoryStore(count: number): Promise<FilledStore> {
  const store = new MemoryKeyStore();
  const keygate = createKeygate({ store, cache: false, lastUsed: false });
  const keys = await createKeys(keygate, count);
  await keygate.close();
  return { store, keys };
}

/** Creates `count` keys through `keygate.keys`; answers their plaintext. */
export async function createKeys(keygate: Keygate, count: number, offset = 0): Promise<string[]> {
  const keys: string[] = new Array(count);
  const organisations = Array.from(
    { length: Math.ceil((offset + count) / KEYS_PER_ORGANISATION) },
    (_, index) => `org_${index}`,
  );
  for (let index = 0; index < count; index++) {
    const created = await keygate.keys.create({
      organisationId: organisations[Math.floor((offset + index) / KEYS_PER_ORGANISATION)]!,
      name: 'Production API',
    });
    keys[index] = created.key;
  }
  return keys;
}

/** `count` well-formed keys that no store holds. */
export function unknownKeys(count: number): string[] {
  return Array.from({ length: count }, () => generateApiKey().key);
}

/** The same keys with their last character changed: the checksum no longer matches. */
export function badChecksumKeys(keys: readonly string[]): string[] {
  return keys.map((key) => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'));
}

/** Keys of another type (`pk_live_…`, same length): malformed by prefix. */
export function malformedKeys(keys: readonly string[]): string[] {
  return keys.map((key) => 'p' + key.slice(1));
}
