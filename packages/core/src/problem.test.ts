import { describe, expect, it } from 'vitest';
import {
  InsufficientScopeError,
  InvalidApiKeyError,
  KeyStoreUnavailableError,
  MissingOrganisationError,
  RateLimitedError,
} from './errors.js';
import { ManagementRequestError, problemResponseFor } from './management/problems.js';
import { buildProblem, problemResponse, toProblem } from './problem.js';

describe('toProblem', () => {
  it('answers a 401 with problem+json, no-store and a WWW-Authenticate challenge', () => {
    const problem = toProblem(new InvalidApiKeyError('No such key.'), { realm: 'sites' });
    expect(problem.status).toBe(401);
    expect(problem.headers).toEqual({
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      'www-authenticate': 'ApiKey realm="sites", header="x-api-key"',
    });
    expect(JSON.parse(problem.json)).toEqual({
      type: 'https://keygate.dev/problems/invalid_api_key',
      title: 'Invalid API key',
      status: 401,
      detail: 'No such key.',
      code: 'invalid_api_key',
    });
  });

  it('sends no challenge on 403, and Retry-After on 429 and 503', () => {
    expect(toProblem(new MissingOrganisationError('x')).headers).not.toHaveProperty(
      'www-authenticate',
    );
    expect(
      toProblem(new RateLimitedError('x', { retryAfterSeconds: 7 })).headers['retry-after'],
    ).toBe('7');
    const unavailable = toProblem(new KeyStoreUnavailableError('x', { retryAfterSeconds: 5 }));
    expect(unavailable).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
  });

  it('lists the missing scopes of insufficient_scope', () => {
    const problem = toProblem(new InsufficientScopeError(['sites:write']));
    expect(problem.status).toBe(403);
    expect(problem.body.missingScopes).toEqual(['sites:write']);
  });

  it('escapes quotes in the realm and uses the configured type base and header', () => {
    const problem = toProblem(new InvalidApiKeyError('x'), {
      realm: 'a"b',
      headerName: 'x-token',
      typeBase: 'urn:problem:',
    });
    expect(problem.headers['www-authenticate']).toBe('ApiKey realm="a\\"b", header="x-token"');
    expect(problem.body.type).toBe('urn:problem:invalid_api_key');
  });
});

describe('buildProblem', () => {
  it('gives a management problem the same body and base headers as a refusal', async () => {
    const detail = 'The key store could not be reached; try again shortly.';
    const refusal = toProblem(new KeyStoreUnavailableError(detail));
    const response = problemResponseFor(
      new ManagementRequestError('key_store_unavailable', detail),
      undefined,
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual(refusal.body);
    expect(response.headers.get('content-type')).toBe(refusal.headers['content-type']);
    expect(response.headers.get('cache-control')).toBe(refusal.headers['cache-control']);
  });

  it('adds the extra headers and the type base', async () => {
    const problem = buildProblem(
      { code: 'method_not_allowed', status: 405, title: 'Method not allowed', detail: 'Use GET.' },
      'urn:problem:',
      { allow: 'GET' },
    );
    expect(problem.headers).toEqual({
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      allow: 'GET',
    });
    expect(problem.body).toEqual({
      type: 'urn:problem:method_not_allowed',
      title: 'Method not allowed',
      status: 405,
      detail: 'Use GET.',
      code: 'method_not_allowed',
    });
    const response = problemResponse(problem);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await response.text()).toBe(problem.json);
  });
});
