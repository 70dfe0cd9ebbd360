// The verifier's calls out of the process on a cache miss, each under the request's deadline
// (docs/design.md, "Faults"): the store lookup by digest (the current one, then older peppers'),
// the organisation's resolution, and the re-hash of a key found under an older pepper.
import type { Organisation } from './auth-context.js';
import { withDeadline } from './deadline.js';
import type { ApiKeyRecord } from './record.js';
import { isApiKeyRecord } from './record-shape.js';
import type { ResolvedVerifierOptions } from './verifier-options.js';

/** A record found by one of the accepted digests; `versionIndex` > 0: an older one. */
export interface FoundRecord {
  readonly record: ApiKeyRecord;
  readonly versionIndex: number;
}

/**
 * Tries the current digest (`digest`), then older peppers'. `null`: no such key; 'unavailable':
 * the store failed, stalled past `deadline` or answered something that is not a record.
 */
export async function findRecord(
  options: ResolvedVerifierOptions,
  key: string,
  digest: string,
  deadline: number,
): Promise<FoundRecord | null | 'unavailable'> {
  const versions = options.digester.versions;
  for (let index = 0; index < versions.length; index++) {
    const hash = index === 0 ? digest : versions[index]!.digest(key);
    let record: unknown;
    try {
      record = await withStoreDeadline(options, () => options.store.findByHash(hash), deadline);
    } catch (error) {
      options.onError(error, 'lookup');
      return 'unavailable';
    }
    if (record === null || record === undefined) continue;
    if (!isApiKeyRecord(record) || record.hash !== hash) {
      options.onError(
        new TypeError('the store returned a record that is not an ApiKeyRecord'),
        'lookup',
      );
      return 'unavailable';
    }
    return { record, versionIndex: index };
  }
  return null;
}

/** `undefined` for no active organisation; 'unavailable' when the resolver threw or stalled. */
export async function resolveOrganisationOf(
  options: ResolvedVerifierOptions,
  organisationId: string,
  deadline: number,
): Promise<Organisation | undefined | 'unavailable'> {
  const resolve = options.resolveOrganisation;
  if (resolve === undefined) return { id: organisationId } as Organisation;
  let organisation: Awaited<ReturnType<typeof resolve>>;
  try {
    organisation = await withDeadline(
      () => resolve(organisationId),
      Math.max(0, deadline - Date.now()),
      `resolveOrganisation did not answer within ${options.storeTimeoutMs} ms`,
    );
  } catch (error) {
    options.onError(error, 'organisation');
    return 'unavailable';
  }
  return organisation === null || organisation === undefined || organisation === false
    ? undefined
    : organisation;
}

/** Moves a key verified under an older pepper to the current one, off the request path. */
export function rehashRecord(
  options: ResolvedVerifierOptions,
  record: ApiKeyRecord,
  digest: string,
): void {
  const version = options.digester.current.version;
  withStoreDeadline(
    options,
    () => options.store.update(record.id, { hash: digest, hashVersion: version }),
    Date.now() + options.storeTimeoutMs,
  ).catch((error: unknown) => options.onError(error, 'rehash'));
}

/** Runs a store call under `deadline`; a synchronous throw or a non-promise is a failure too. */
export function withStoreDeadline<T>(
  options: ResolvedVerifierOptions,
  call: () => Promise<T>,
  deadline: number,
): Promise<T> {
  return withDeadline(
    call,
    Math.max(0, deadline - Date.now()),
    `the key store did not answer within ${options.storeTimeoutMs} ms`,
  );
}
