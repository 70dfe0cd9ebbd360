// What the key-manager tests share: a keygate on a memory store (or the store given), and the
// code a key verifies to ('ok' or the refusal's code). Not part of the package (tests only).
import { createKeygate } from './keygate.js';
import { MemoryKeyStore } from './memory-key-store.js';

/** A keygate whose errors are swallowed, with its store, key manager and verifier. */
export function setup(store = new MemoryKeyStore()) {
  const keygate = createKeygate({ store, onError: () => {} });
  return { store, keys: keygate.keys, verifier: keygate.verifier };
}

/** 'ok' when `key` verifies, else the refusal's code. */
export async function codeOf(verifier: ReturnType<typeof setup>['verifier'], key: string) {
  const result = await verifier.verify(key);
  return result.ok ? 'ok' : result.error.code;
}
