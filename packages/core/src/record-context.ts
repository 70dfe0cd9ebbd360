// The context a valid key hands its route, built once per store read and frozen, so that every
// request answered from the cache shares it (docs/design.md, "Verification").
import type { AuthContext, Organisation } from './auth-context.js';
import type { ApiKeyRecord } from './record.js';

/** The frozen context of `record`, whose organisation resolved to `organisation`. */
export function contextOf(record: ApiKeyRecord, organisation: Organisation): AuthContext {
  return Object.freeze({
    keyId: record.id,
    organisationId: record.organisationId!,
    name: record.name,
    prefix: record.prefix,
    environment: record.environment,
    scopes: Object.freeze([...record.scopes]),
    metadata: Object.freeze({ ...record.metadata }),
    expiresAt: record.expiresAt,
    organisation,
  });
}
