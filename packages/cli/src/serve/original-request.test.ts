import { describe, expect, it } from 'vitest';
import { readCheckHeaders } from './check-headers.js';
import { canonicalPath, originalRequest } from './original-request.js';
import { compileScopeRules } from './scope-rules.js';

// A check as Node hands it over: its own target and method, and its raw headers.
const check = (url: string, headers: Record<string, string>, method: string, pathPrefix: string) =>
  originalRequest(
    { url, method },
    readCheckHeaders(Object.entries(headers).flat(), 'x-api-key'),
    pathPrefix,
  );

describe('canonicalPath', () => {
  it.each([
    ['/api/sites', '/api/sites'],
    ['/api/sites?x=1#y', '/api/sites'],
    ['/api//sites', '/api/sites'],
    ['/api/./sites/', '/api/sites/'],
    ['/api/v1/../sites', '/api/sites'],
    ['/../../etc', '/etc'],
    ['/api%2Fsites', '/api/sites'],
    ['/%2e%2e/api', '/api'],
    ['/a\\b', '/a/b'],
    ['/bad%zzescape/..', '/'],
    ['http://example.com/api?q', '/api'],
    ['http://example.com', '/'],
    ['relative', '/relative'],
    ['/', '/'],
  ])('%s → %s', (target, path) => {
    expect(canonicalPath(target)).toBe(path);
  });
});

describe('originalRequest', () => {
  it('prefers X-Original-* (nginx), then X-Forwarded-* (Traefik, Caddy), then the request', () => {
    expect(
      check(
        '/check',
        {
          'X-Forwarded-Uri': '/b',
          'x-forwarded-method': 'POST',
          'X-Original-URI': '/a',
          'x-original-method': 'put',
        },
        'GET',
        '',
      ),
    ).toEqual({ method: 'PUT', path: '/a' });
    expect(
      check('/', { 'x-forwarded-uri': '/b', 'X-Forwarded-Method': 'POST' }, 'GET', ''),
    ).toEqual({ method: 'POST', path: '/b' });
    expect(check('/c?x', {}, 'DELETE', '')).toEqual({
      method: 'DELETE',
      path: '/c',
    });
  });

  it('reads the path after the prefix, and only there, ignoring forwarded headers', () => {
    const headers = { 'x-forwarded-uri': '/public' };
    expect(check('/envoy/admin', headers, 'POST', '/envoy')).toEqual({
      method: 'POST',
      path: '/admin',
    });
    expect(check('/envoy', headers, 'GET', '/envoy').path).toBe('/');
    expect(check('/envoyx/admin', headers, 'GET', '/envoy').path).toBe('/public');
  });
});

describe('compileScopeRules', () => {
  const rules = compileScopeRules([
    { path: '/', methods: undefined, scopes: ['any'] },
    { path: '/api', methods: undefined, scopes: ['api'] },
    { path: '/api/sites', methods: ['GET'], scopes: ['sites:read'] },
    { path: '/api/sites', methods: undefined, scopes: ['sites:write'] },
  ]);
  const scopes = (method: string, path: string) => rules(method, path).plain.requiredScopes;

  it('takes the longest matching path, then the rule naming the method', () => {
    expect(scopes('GET', '/api/sites/1')).toEqual(['sites:read']);
    expect(scopes('HEAD', '/api/sites')).toEqual(['sites:read']);
    expect(scopes('POST', '/api/sites')).toEqual(['sites:write']);
    expect(scopes('GET', '/api/sitesx')).toEqual(['api']);
    expect(scopes('GET', '/other')).toEqual(['any']);
  });

  it('requires nothing without rules, and says whether an Authorization header came', () => {
    const none = compileScopeRules([]);
    expect(none('GET', '/').plain).toEqual({});
    expect(none('GET', '/').withAuthorization).toEqual({ hasAuthorizationHeader: true });
    expect(rules('GET', '/api').withAuthorization).toEqual({
      requiredScopes: ['api'],
      hasAuthorizationHeader: true,
    });
  });
});
