// The refusals a verifier answers with, built once per verifier: refusing a request then costs
// no allocation and no stack capture, which keeps garbage from costing more than a valid key.
import {
  type ApiKeyError,
  DisabledApiKeyError,
  ExpiredApiKeyError,
  InvalidApiKeyError,
  KeyStoreUnavailableError,
  MalformedApiKeyError,
  MissingApiKeyError,
  MissingOrganisationError,
  RevokedApiKeyError,
  WrongEnvironmentError,
} from './errors.js';
import type { ParseFailureReason } from './parse.js';

/** A refused verification. */
export interface VerifyFailure {
  readonly ok: false;
  readonly error: ApiKeyError;
}

/** Seconds a client should wait after the store failed. */
const STORE_RETRY_AFTER_SECONDS = 5;

/** Every fixed refusal of one verifier, each a frozen `{ ok: false, error }`. */
export interface Refusals {
  readonly missing: VerifyFailure;
  readonly missingWithAuthorization: VerifyFailure;
  readonly multipleHeaders: VerifyFailure;
  readonly malformed: { readonly [R in ParseFailureReason]: VerifyFailure };
  readonly wrongEnvironment: ReadonlyMap<string, VerifyFailure>;
  readonly invalid: VerifyFailure;
  readonly expired: VerifyFailure;
  readonly revoked: VerifyFailure;
  readonly disabled: VerifyFailure;
  readonly missingOrganisation: VerifyFailure;
  readonly storeUnavailable: VerifyFailure;
}

/** Builds the refusals for a header name, the known environments and the accepted ones. */
export function createRefusals(
  headerName: string,
  environments: readonly string[],
  accepted: readonly string[],
): Refusals {
  const refuse = (error: ApiKeyError): VerifyFailure => Object.freeze({ ok: false, error });
  const malformed = (detail: string) =>
    refuse(new MalformedApiKeyError(`${detail} Check the API key for typos.`));
  const acceptedList = accepted.join(', ');
  return Object.freeze({
    missing: refuse(new MissingApiKeyError(`Send your API key in the ${headerName} header.`)),
    missingWithAuthorization: refuse(
      new MissingApiKeyError(
        `Send your API key in the ${headerName} header, not in the Authorization header.`,
      ),
    ),
    multipleHeaders: refuse(
      new MalformedApiKeyError(`Send exactly one ${headerName} header; this request has several.`),
    ),
    malformed: Object.freeze({
      missing: refuse(new MissingApiKeyError(`Send your API key in the ${headerName} header.`)),
      not_a_string: malformed('The API key must be text.'),
      too_long: malformed('The API key is far longer than any key.'),
      wrong_prefix: malformed('The API key does not start with a known prefix (such as sk_live_).'),
      unknown_environment: malformed('The API key names an unknown environment.'),
      bad_length: malformed('The API key has the wrong length.'),
      bad_alphabet: malformed('The API key contains characters that no key contains.'),
      bad_checksum: malformed('The API key checksum does not match: it was mistyped or cut short.'),
    }),
    wrongEnvironment: new Map(
      environments.map((environment) => [
        environment,
        refuse(
          new WrongEnvironmentError(
            `This server does not accept ${environment} keys; it accepts: ${acceptedList}.`,
          ),
        ),
      ]),
    ),
    invalid: refuse(
      new InvalidApiKeyError(
        'This API key does not exist: it was mistyped, or it was deleted. Check it or create a new key.',
      ),
    ),
    expired: refuse(new ExpiredApiKeyError('This API key has expired. Create a new key.')),
    revoked: refuse(new RevokedApiKeyError('This API key has been revoked. Create a new key.')),
    disabled: refuse(
      new DisabledApiKeyError(
        'This API key is disabled. Enable it again on the API Keys page, or use another key.',
      ),
    ),
    missingOrganisation: refuse(
      new MissingOrganisationError(
        'This API key is not associated with an active organisation. Contact support if this persists.',
      ),
    ),
    storeUnavailable: refuse(
      new KeyStoreUnavailableError('API keys cannot be checked right now. Try again shortly.', {
        retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
      }),
    ),
  });
}
