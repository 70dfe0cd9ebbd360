import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli-errors.js';
import { DEFAULT_CONTEXT_HEADERS, loadServeConfig, parseServeConfig } from './serve-config.js';

const parse = (json: unknown) => parseServeConfig(json, 'keygate.serve.json');

describe('parseServeConfig', () => {
  it('resolves an empty object to the defaults', () => {
    const config = parse({});
    expect(config.routes).toEqual([]);
    expect(config.headers).toEqual(DEFAULT_CONTEXT_HEADERS);
    expect(config.pathPrefix).toBe('');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads routes, upper-cases methods and lower-cases header names', () => {
    const config = parse({
      routes: [{ path: '/api/sites', methods: ['post', 'PUT'], scopes: ['sites:write'] }],
      headers: { organisationId: 'X-Org' },
      environments: ['live'],
      pathPrefix: '/check',
      cache: { ttlMs: 10_000 },
    });
    expect(config.routes).toEqual([
      { path: '/api/sites', methods: ['POST', 'PUT'], scopes: ['sites:write'] },
    ]);
    expect(config.headers.organisationId).toBe('x-org');
    expect(config.headers.keyId).toBe('x-keygate-key-id');
    expect(config.cache).toEqual({ ttlMs: 10_000 });
  });

  it('does not change the object it was given', () => {
    const json = { routes: [{ path: '/a', methods: ['get'], scopes: ['s'] }] };
    const copy = structuredClone(json);
    parse(json);
    expect(json).toEqual(copy);
  });

  it.each([
    [[], 'the file must hold a JSON object'],
    [{ route: [] }, 'route is not a setting'],
    [{ routes: {} }, 'routes must be an array'],
    [
      { routes: [{ path: 'api', scopes: ['s'] }] },
      'routes[0].path must be a path starting with "/"',
    ],
    [{ routes: [{ path: '/api/', scopes: ['s'] }] }, 'routes[0].path must not end with "/"'],
    [{ routes: [{ path: '/a/../b', scopes: ['s'] }] }, 'routes[0].path must be a plain path'],
    [{ routes: [{ path: '/a?x', scopes: ['s'] }] }, 'routes[0].path must be a plain path'],
    [{ routes: [{ path: '/a' }] }, 'routes[0].scopes is required'],
    [{ routes: [{ path: '/a', scopes: [] }] }, 'routes[0].scopes must be a non-empty list'],
    [{ routes: [{ path: '/a', scopes: [' s'] }] }, 'routes[0].scopes must hold non-empty strings'],
    [
      { routes: [{ path: '/a', methods: ['GE T'], scopes: ['s'] }] },
      'routes[0].methods has "GE T", which is not an HTTP method',
    ],
    [
      { routes: [{ path: '/a', scopes: ['s'], method: 'GET' }] },
      'routes[0].method is not a setting',
    ],
    [
      {
        routes: [
          { path: '/a', methods: ['GET', 'POST'], scopes: ['s'] },
          { path: '/a', methods: ['POST'], scopes: ['t'] },
        ],
      },
      'routes[1] repeats routes[0]',
    ],
    [
      {
        routes: [
          { path: '/a', scopes: ['s'] },
          { path: '/a', scopes: ['t'] },
        ],
      },
      'routes[1] repeats routes[0]',
    ],
    [{ headers: { organisation: 'x' } }, 'headers.organisation is not a setting'],
    [{ headers: { keyId: 'bad header' } }, 'headers.keyId must be a header name'],
    [{ headers: { keyId: 'x-keygate-organisation-id' } }, 'headers must name four different'],
    [{ environments: 'live' }, 'environments must be a non-empty list'],
    [{ pathPrefix: 'check' }, 'pathPrefix must be "" or a path'],
    [{ pathPrefix: '/check/' }, 'pathPrefix must be "" or a path'],
    [{ cache: { ttlMs: -1 } }, 'cache.ttlMs must be a positive whole number'],
    [{ cache: { ttl: 1 } }, 'cache.ttl is not a setting'],
    [{ rateLimit: '100/1m' }, 'rateLimit must be an object'],
    [{ rateLimit: { limit: 100 } }, 'rateLimit.limit is not a setting'],
    [{ rateLimit: { default: 100 } }, 'rateLimit.default must be <requests>/<window>'],
    [{ rateLimit: { default: '100/500ms' } }, 'rateLimit.default.windowMs must be whole seconds'],
    [{ rateLimit: { limiter: 'postgres' } }, 'rateLimit.limiter must be "memory" or "redis"'],
    [
      { rateLimit: { limiter: 'redis', mode: 'exact' } },
      'rateLimit.mode must be "strict" or "approximate"',
    ],
    [{ rateLimit: { mode: 'approximate' } }, 'rateLimit.mode applies to the redis limiter'],
  ])('refuses %j: "%s"', (json, message) => {
    let thrown: unknown;
    try {
      parse(json);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).message).toContain(`keygate.serve.json: ${message}`);
  });

  it('reads the rate-limit settings, and defaults to no limit counted in memory', () => {
    expect(parse({}).rateLimit).toEqual({
      default: undefined,
      limiter: 'memory',
      mode: 'strict',
      onStoreError: 'fail-closed',
    });
    expect(
      parse({
        rateLimit: {
          default: '100/1m',
          limiter: 'redis',
          mode: 'approximate',
          onStoreError: 'fail-open',
        },
      }).rateLimit,
    ).toEqual({
      default: { limit: 100, windowMs: 60_000 },
      limiter: 'redis',
      mode: 'approximate',
      onStoreError: 'fail-open',
    });
    expect(parse({ rateLimit: { default: 'none' } }).rateLimit?.default).toBeUndefined();
  });

  it('accepts the same path for different methods', () => {
    expect(
      parse({
        routes: [
          { path: '/a', methods: ['GET'], scopes: ['r'] },
          { path: '/a', methods: ['POST'], scopes: ['w'] },
          { path: '/a', scopes: ['any'] },
        ],
      }).routes,
    ).toHaveLength(3);
  });
});

describe('loadServeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-serve-config-'));

  it('reads a file', async () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify({ routes: [{ path: '/a', scopes: ['s'] }] }));
    expect((await loadServeConfig(path)).routes).toHaveLength(1);
  });

  it('says when the file is missing or not JSON', async () => {
    await expect(loadServeConfig(join(dir, 'none.json'))).rejects.toThrow(/no such file/);
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{ routes: [] }');
    await expect(loadServeConfig(path)).rejects.toThrow(/bad\.json: not JSON/);
  });
});
