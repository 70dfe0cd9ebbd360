import { describe, expect, it } from 'vitest';
import {
  ApiKeyError,
  ApiKeyNotFoundError,
  ApiKeyStateError,
  DisabledApiKeyError,
  DuplicateApiKeyError,
  ExpiredApiKeyError,
  InsufficientScopeError,
  InvalidApiKeyError,
  InvalidKeyInputError,
  isApiKeyError,
  KeygateError,
  KeyStoreUnavailableError,
  MalformedApiKeyError,
  MissingApiKeyError,
  MissingOrganisationError,
  RateLimitedError,
  RevokedApiKeyError,
  WrongEnvironmentError,
} from './errors.js';

const REFUSALS = [
  [MissingApiKeyError, 'missing_api_key', 401],
  [MalformedApiKeyError, 'malformed_api_key', 401],
  [InvalidApiKeyError, 'invalid_api_key', 401],
  [ExpiredApiKeyError, 'expired_api_key', 401],
  [RevokedApiKeyError, 'revoked_api_key', 401],
  [DisabledApiKeyError, 'disabled_api_key', 401],
  [WrongEnvironmentError, 'wrong_environment', 401],
  [MissingOrganisationError, 'missing_organisation', 403],
  [RateLimitedError, 'rate_limited', 429],
  [KeyStoreUnavailableError, 'key_store_unavailable', 503],
] as const;

describe('refusal classes', () => {
  it.each(REFUSALS)(
    '%o carries its class code and status on every instance',
    (Refusal, code, status) => {
      const error = new Refusal('What went wrong.');
      expect(Refusal.code).toBe(code);
      expect(error).toMatchObject({ code, status, title: Refusal.title, name: Refusal.name });
      expect(error.title.length).toBeGreaterThan(0);
      expect(error.detail).toBe('What went wrong.');
      // Own data properties, so a refusal logged or serialised shows its code.
      expect(Object.keys(error)).toEqual(expect.arrayContaining(['code', 'status', 'title']));
      expect(error).toBeInstanceOf(ApiKeyError);
      expect(isApiKeyError(error)).toBe(true);
    },
  );

  it('gives insufficient_scope its missing scopes and 403', () => {
    const error = new InsufficientScopeError(['sites:write']);
    expect(error).toMatchObject({ code: 'insufficient_scope', status: 403 });
    expect(error.missingScopes).toEqual(['sites:write']);
  });

  it('keeps retryAfterSeconds and cause', () => {
    const cause = new Error('socket closed');
    const error = new KeyStoreUnavailableError('x', { retryAfterSeconds: 5, cause });
    expect(error.retryAfterSeconds).toBe(5);
    expect(error.cause).toBe(cause);
  });

  it('has a distinct code per class', () => {
    const codes = REFUSALS.map(([Refusal]) => Refusal.code);
    expect(new Set([...codes, InsufficientScopeError.code]).size).toBe(REFUSALS.length + 1);
  });
});

describe('errors that are not refusals', () => {
  it.each([
    [new DuplicateApiKeyError('Duplicate id.'), DuplicateApiKeyError, 'duplicate_api_key', 500],
    [new ApiKeyNotFoundError('key_1'), ApiKeyNotFoundError, 'api_key_not_found', 404],
    [new ApiKeyStateError('Revoked.'), ApiKeyStateError, 'api_key_not_active', 409],
    [
      new InvalidKeyInputError('Too long.', { field: 'name', given: 'x', limit: 200 }),
      InvalidKeyInputError,
      'invalid_key_input',
      400,
    ],
  ] as const)(
    '%o carries its class code and status, and is a keygate error',
    (error, ErrorClass, code, status) => {
      expect(ErrorClass.code).toBe(code);
      expect(error).toMatchObject({ code, status, title: ErrorClass.title });
      expect(error.name).toBe(ErrorClass.name);
      expect(error).toBeInstanceOf(KeygateError);
      expect(error).not.toBeInstanceOf(ApiKeyError);
      // Every error keygate throws on purpose, not only refusals.
      expect(isApiKeyError(error)).toBe(true);
    },
  );

  it('is false for errors keygate did not mean', () => {
    expect(isApiKeyError(new TypeError('x'))).toBe(false);
    expect(isApiKeyError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isApiKeyError({ code: 'x', status: 400, title: 'not an Error' })).toBe(false);
  });

  it('says which input was refused, what was given and the limit', () => {
    expect(
      new InvalidKeyInputError('A key name must be 1 to 200 characters.', {
        field: 'name',
        given: 'y'.repeat(300),
        limit: 200,
      }),
    ).toMatchObject({ field: 'name', given: `"${'y'.repeat(60)}…"`, limit: 200 });
  });

  it('names the id that was not found', () => {
    expect(new ApiKeyNotFoundError('key_1')).toMatchObject({
      keyId: 'key_1',
      message: 'No API key with id "key_1".',
    });
  });
});
