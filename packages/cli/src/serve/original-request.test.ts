import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { canonicalPath, originalRequest } from './original-request.js';
import { compileScopeRules } from './scope-rules.js';

const request = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
  ({ url, method, headers }) as unknown as IncomingMessage;

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
      originalRequest(
        request('/check', {
          'x-original-uri': '/a',
          'x-original-method': 'put',
          'x-forwarded-uri': '/b',
          'x-forwarded-method': 'POST',
        }),
        '',
      ),
    ).toEqual({ method: 'PUT', path: '/a' });
    expect(
      originalRequest(request('/', { 'x-forwarded-uri': '/b', 'x-forwarded-method': 'POST' }), ''),
    ).toEqual({ method: 'POST', path: '/b' });
    expect(originalRequest(request('/c?x', {}, 'DELETE'), '')).toEqual({
      method: 'DELETE',
      path: '/c',
    });
  });

  it('reads the path after the prefix, and only there, ignoring forwarded headers', () => {
    const headers = { 'x-forwarded-uri': '/public' };
    expect(originalRequest(request('/envoy/admin', headers, 'POST'), '/envoy')).toEqual({
      method: 'POST',
      path: '/admin',
    });
    expect(originalRequest(request('/envoy', headers), '/envoy').path).toBe('/');
    expect(originalRequest(request('/envoyx/admin', headers), '/envoy').path).toBe('/public');
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
