// One call that builds a verifier and a key manager sharing store, format and peppers.
import type { AuditEvent, AuditSink } from './audit/audit-event.js';
import { createKeyManager, type KeyManager } from './key-manager.js';
import { createVerifier, type Verifier } from './verifier.js';
import type { VerifierOptions } from './verifier-options.js';

/** Options of {@link createKeygate}: the verifier's, and where management actions are audited. */
export interface KeygateOptions extends VerifierOptions {
  /** Where each management action is recorded (docs/observability.md, "Audit log"). */
  readonly audit?: AuditSink;
  /** Called with each audit event too, to ship it elsewhere. */
  readonly onAudit?: (event: AuditEvent) => void | Promise<void>;
}

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
export function createKeygate(options: KeygateOptions): Keygate {
  const verifier = createVerifier(options);
  const keys = createKeyManager({
    verifier,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    ...(options.onAudit === undefined ? {} : { onAudit: options.onAudit }),
  });
  return Object.freeze({ verifier, keys, close: () => verifier.close() });
}
