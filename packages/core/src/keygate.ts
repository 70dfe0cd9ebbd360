// One call that builds a verifier and a key manager sharing store, format and peppers.
import { createKeyManager, type KeyManager } from './key-manager.js';
import { createVerifier, type Verifier } from './verifier.js';
import type { VerifierOptions } from './verifier-options.js';

/** A verifier and a manager over one store. */
export interface Keygate {
  readonly verifier: Verifier;
  /** Key management; changes made here reach this verifier's cache at once. */
  readonly keys: KeyManager;
  /** Closes the verifier (flushing last-used times). The store stays open: it is the caller's. */
  close(): Promise<void>;
}

/**
 * Builds keygate for an application.
 *
 * @example
 * ```ts
 * import { createKeygate, MemoryKeyStore } from '@keygate/core';
 *
 * const keygate = createKeygate({ store: new MemoryKeyStore() });
 * const { key } = await keygate.keys.create({ organisationId: 'org_1', name: 'Production API' });
 * const result = await keygate.verifier.verify(key);
 * console.log(result.ok && result.context.organisationId); // 'org_1'
 * ```
 */
export function createKeygate(options: VerifierOptions): Keygate {
  const verifier = createVerifier(options);
  const keys = createKeyManager({ verifier });
  return Object.freeze({ verifier, keys, close: () => verifier.close() });
}
