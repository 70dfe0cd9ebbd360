// The file `keygate serve --config` reads (keygate.serve.json): which scopes each path prefix and
// method needs, the names of the headers handed to the upstream, and the verifier's settings.
// Checked once at start-up; every mistake is a usage error naming the field.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../cli-errors.js';
import {
  DEFAULT_RATE_LIMIT_SETTINGS,
  parseRateLimitSettings,
  type RateLimitSettings,
} from '../rate-limit-settings.js';

/** One rule: requests under `path` (with one of `methods`, or any) need every scope of `scopes`. */
export interface ServeRoute {
  readonly path: string;
  /** Upper-case HTTP methods; absent: every method. */
  readonly methods: readonly string[] | undefined;
  readonly scopes: readonly string[];
}

/** The names of the headers a successful check answers with. */
export interface ContextHeaderNames {
  readonly organisationId: string;
  readonly keyId: string;
  readonly environment: string;
  readonly scopes: string;
}

/** The resolved configuration of `keygate serve`. */
export interface ServeConfig {
  readonly routes: readonly ServeRoute[];
  readonly headers: ContextHeaderNames;
  /** Environments accepted (default: every environment of the key format). */
  readonly environments: readonly string[] | undefined;
  /**
   * Removed from the start of a check request's own path before it is read as the original path
   * (Envoy's `path_prefix`); only used when no forwarded-URI header is present.
   */
  readonly pathPrefix: string;
  /** The verifier cache; each field absent: the default of `keygate serve`. */
  readonly cache: { readonly ttlMs?: number; readonly negativeTtlMs?: number };
  /**
   * Rate limits: a default limit per key (`"100/1m"`) beside each key's own, counted in the
   * process (`memory`, default) or in the store's Redis (`redis`, `strict` or `approximate`).
   * Absent: `DEFAULT_RATE_LIMIT_SETTINGS` (no default limit, counted in memory).
   */
  readonly rateLimit?: RateLimitSettings;
}

/** The header names used when the file does not name them. */
export const DEFAULT_CONTEXT_HEADERS: ContextHeaderNames = Object.freeze({
  organisationId: 'x-keygate-organisation-id',
  keyId: 'x-keygate-key-id',
  environment: 'x-keygate-environment',
  scopes: 'x-keygate-scopes',
});

/** The configuration without a file: any valid key passes, default header names. */
export const DEFAULT_SERVE_CONFIG: ServeConfig = Object.freeze({
  routes: Object.freeze([]),
  headers: DEFAULT_CONTEXT_HEADERS,
  environments: undefined,
  pathPrefix: '',
  cache: Object.freeze({}),
  rateLimit: DEFAULT_RATE_LIMIT_SETTINGS,
});

const TOP_LEVEL = [
  '$schema',
  'routes',
  'headers',
  'environments',
  'pathPrefix',
  'cache',
  'rateLimit',
];
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const METHOD = /^[A-Z]+$/;

/**
 * Reads and checks a configuration file.
 *
 * @example
 * ```ts
 * const config = await loadServeConfig('keygate.serve.json');
 * ```
 */
export async function loadServeConfig(path: string): Promise<ServeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(
      `--config ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? 'error'})`}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${path}: not JSON (${(error as Error).message})`);
  }
  return parseServeConfig(json, path);
}

/**
 * Checks parsed JSON and resolves it; `source` names the file in error messages.
 *
 * @example
 * ```ts
 * parseServeConfig({ routes: [{ path: '/api/sites', methods: ['POST'], scopes: ['sites:write'] }] }, 'inline');
 * ```
 */
export function parseServeConfig(json: unknown, source: string): ServeConfig {
  const fail = (field: string, message: string): never => {
    throw new UsageError(`${source}: ${field} ${message}`);
  };
  if (!isObject(json)) return fail('the file', 'must hold a JSON object');
  unknownFields(json, TOP_LEVEL, '', fail);

  const routes: ServeRoute[] = [];
  if (json.routes !== undefined) {
    if (!Array.isArray(json.routes)) fail('routes', 'must be an array');
    (json.routes as unknown[]).forEach((route, index) => {
      routes.push(parseRoute(route, `routes[${index}]`, fail));
    });
  }
  checkOverlaps(routes, fail);

  let headers = DEFAULT_CONTEXT_HEADERS;
  if (json.headers !== undefined) {
    const given = json.headers;
    if (!isObject(given)) return fail('headers', 'must be an object');
    unknownFields(given, Object.keys(DEFAULT_CONTEXT_HEADERS), 'headers.', fail);
    const names: Record<string, string> = { ...DEFAULT_CONTEXT_HEADERS };
    for (const [field, value] of Object.entries(given)) {
      if (typeof value !== 'string' || !HEADER_NAME.test(value.toLowerCase())) {
        fail(`headers.${field}`, 'must be a header name (letters, digits, "-")');
      }
      names[field] = (value as string).toLowerCase();
    }
    if (new Set(Object.values(names)).size !== 4)
      fail('headers', 'must name four different headers');
    headers = Object.freeze(names) as unknown as ContextHeaderNames;
  }

  let environments: readonly string[] | undefined;
  if (json.environments !== undefined) {
    environments = stringList(json.environments, 'environments', fail);
  }

  let pathPrefix = '';
  if (json.pathPrefix !== undefined) {
    const value = json.pathPrefix;
    if (
      typeof value !== 'string' ||
      (value !== '' && (!value.startsWith('/') || value.endsWith('/')))
    ) {
      fail(
        'pathPrefix',
        'must be "" or a path such as "/check" (starting with "/", not ending with one)',
      );
    }
    pathPrefix = value as string;
  }

  const cache: { ttlMs?: number; negativeTtlMs?: number } = {};
  if (json.cache !== undefined) {
    if (!isObject(json.cache)) return fail('cache', 'must be an object');
    unknownFields(json.cache, ['ttlMs', 'negativeTtlMs'], 'cache.', fail);
    for (const field of ['ttlMs', 'negativeTtlMs'] as const) {
      const value = json.cache[field];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
        fail(`cache.${field}`, 'must be a positive whole number of milliseconds');
      }
      cache[field] = value as number;
    }
  }

  let rateLimit = DEFAULT_RATE_LIMIT_SETTINGS;
  if (json.rateLimit !== undefined) {
    if (!isObject(json.rateLimit)) return fail('rateLimit', 'must be an object');
    unknownFields(
      json.rateLimit,
      ['default', 'limiter', 'mode', 'onStoreError'],
      'rateLimit.',
      fail,
    );
    try {
      rateLimit = parseRateLimitSettings(json.rateLimit, (field) => `rateLimit.${field}`);
    } catch (error) {
      throw new UsageError(`${source}: ${(error as Error).message}`);
    }
  }

  return Object.freeze({
    routes: Object.freeze(routes),
    headers,
    environments,
    pathPrefix,
    cache: Object.freeze(cache),
    rateLimit,
  });
}

type Fail = (field: string, message: string) => never;

function parseRoute(route: unknown, field: string, fail: Fail): ServeRoute {
  if (!isObject(route)) return fail(field, 'must be an object with path and scopes');
  unknownFields(route, ['path', 'methods', 'scopes'], `${field}.`, fail);
  const path = route.path;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    return fail(`${field}.path`, 'must be a path starting with "/"');
  }
  if (path.length > 1 && path.endsWith('/')) {
    fail(
      `${field}.path`,
      `must not end with "/" (write ${JSON.stringify(path.replace(/\/+$/, ''))}: it covers everything under it)`,
    );
  }
  if (/[?#]|\/\/|\/\.\.?(\/|$)/.test(path)) {
    fail(`${field}.path`, 'must be a plain path: no query, fragment, "//", "." or ".." segments');
  }
  let methods: readonly string[] | undefined;
  if (route.methods !== undefined) {
    methods = stringList(route.methods, `${field}.methods`, fail).map((method) => {
      const upper = method.toUpperCase();
      if (!METHOD.test(upper))
        fail(`${field}.methods`, `has ${JSON.stringify(method)}, which is not an HTTP method`);
      return upper;
    });
  }
  const scopes = stringList(
    route.scopes ?? fail(`${field}.scopes`, 'is required (a list of scope names)'),
    `${field}.scopes`,
    fail,
  );
  return Object.freeze({
    path: decodeRoutePath(path),
    methods: methods && Object.freeze(methods),
    scopes,
  });
}

// Two rules with the same path whose methods overlap would make the answer depend on file order.
function checkOverlaps(routes: readonly ServeRoute[], fail: Fail): void {
  routes.forEach((route, index) => {
    for (let other = 0; other < index; other++) {
      const earlier = routes[other]!;
      if (earlier.path !== route.path) continue;
      const overlap =
        route.methods === undefined || earlier.methods === undefined
          ? route.methods === earlier.methods
          : route.methods.some((method) => earlier.methods!.includes(method));
      if (overlap) {
        fail(
          `routes[${index}]`,
          `repeats routes[${other}] (same path ${JSON.stringify(route.path)} and method)`,
        );
      }
    }
  });
}

// A rule's path is compared with decoded request paths, so it is decoded the same way.
function decodeRoutePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function stringList(value: unknown, field: string, fail: Fail): readonly string[] {
  if (!Array.isArray(value) || value.length === 0)
    return fail(field, 'must be a non-empty list of strings');
  for (const item of value) {
    if (typeof item !== 'string' || item.trim() === '' || item !== item.trim()) {
      fail(field, 'must hold non-empty strings without surrounding spaces');
    }
  }
  return Object.freeze([...(value as string[])]);
}

function unknownFields(
  object: Record<string, unknown>,
  known: readonly string[],
  prefix: string,
  fail: Fail,
): void {
  for (const field of Object.keys(object)) {
    if (!known.includes(field)) {
      fail(
        `${prefix}${field}`,
        `is not a setting (known: ${known.filter((name) => name !== '$schema').join(', ')})`,
      );
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
