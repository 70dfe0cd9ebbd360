// The Traefik and Envoy recipes, checked without their binaries: each file is parsed and held to
// the documented structure of the fields it uses (Envoy's ext_authz v3 protos, Traefik's
// forwardAuth and headers middlewares), and the requests each proxy sends are replayed against a
// real `keygate serve` started with the shipped keygate.serve.json, applying the proxy's
// documented rules to its answer (which headers reach the upstream, which reach the client).
import { readFileSync } from 'node:fs';
import {
  DEFAULT_CONTEXT_HEADERS,
  isUnderPathPrefix,
  loadServeConfig,
  type ServeConfig,
} from '@keygate/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { recipePath } from '../../examples/src/forward-auth/recipes.js';
import { type Answer, send } from '../http/http-client.js';
import { redisBinariesAvailable } from '../redis/support/redis-env.js';
import { type ServeUnderTest, startServeUnderTest } from './support/serve-fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked by field name
type Yaml = any;

const CONTEXT_HEADERS = Object.values(DEFAULT_CONTEXT_HEADERS);
const envoy: Yaml = parseYaml(readFileSync(recipePath('envoy.yaml'), 'utf8'));
const traefikStatic: Yaml = parseYaml(readFileSync(recipePath('traefik.yml'), 'utf8'));
const traefik: Yaml = parseYaml(readFileSync(recipePath('traefik-dynamic.yml'), 'utf8'));
let shippedConfig: ServeConfig;

/** Fails on any field not in `known`, naming where it is. */
function onlyKnownFields(object: Yaml, known: readonly string[], where: string): void {
  expect(typeof object, where).toBe('object');
  for (const field of Object.keys(object)) {
    expect(known, `${where}.${field} is not a documented field`).toContain(field);
  }
}

// The fields of the v3 messages the recipe uses, from envoy's api/ protos.
const ENVOY_FIELDS = {
  ExtAuthz: [
    '@type',
    'grpc_service',
    'http_service',
    'transport_api_version',
    'failure_mode_allow',
    'with_request_body',
    'clear_route_cache',
    'status_on_error',
    'metadata_context_namespaces',
    'typed_metadata_context_namespaces',
    'filter_enabled',
    'filter_enabled_metadata',
    'deny_at_disable',
    'include_peer_certificate',
    'stat_prefix',
    'bootstrap_metadata_labels_key',
    'allowed_headers',
    'include_tls_session',
  ],
  HttpService: ['server_uri', 'path_prefix', 'authorization_request', 'authorization_response'],
  HttpUri: ['uri', 'cluster', 'timeout'],
  AuthorizationResponse: [
    'allowed_upstream_headers',
    'allowed_upstream_headers_to_append',
    'allowed_client_headers',
    'allowed_client_headers_on_success',
    'dynamic_metadata_from_headers',
  ],
  ListStringMatcher: ['patterns'],
  StringMatcher: ['exact', 'prefix', 'suffix', 'safe_regex', 'contains', 'ignore_case'],
  HttpStatus: ['code'],
} as const;
const ENVOY_STATUS_CODES = [
  'ServiceUnavailable',
  'Forbidden',
  'InternalServerError',
  'Unauthorized',
];

// Traefik's documented middleware options.
const FORWARD_AUTH_FIELDS = [
  'address',
  'tls',
  'trustForwardHeader',
  'authResponseHeaders',
  'authResponseHeadersRegex',
  'authRequestHeaders',
  'addAuthCookiesToResponse',
  'forwardBody',
  'maxBodySize',
  'headerField',
  'preserveLocationHeader',
  'preserveRequestMethod',
];

function envoyExtAuthz(): Yaml {
  const manager = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  return manager.http_filters.find((filter: Yaml) => filter.name === 'envoy.filters.http.ext_authz')
    .typed_config;
}

function matches(matcher: Yaml, name: string): boolean {
  return matcher.patterns.some((pattern: Yaml) =>
    pattern.exact !== undefined ? pattern.exact === name : name.startsWith(pattern.prefix),
  );
}

beforeAll(async () => {
  shippedConfig = await loadServeConfig(recipePath('keygate.serve.json'));
});

describe('the Envoy recipe (envoy.yaml)', () => {
  it('uses only documented ext_authz v3 fields, with the shapes they take', () => {
    const extAuthz = envoyExtAuthz();
    expect(extAuthz['@type']).toBe(
      'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
    );
    onlyKnownFields(extAuthz, ENVOY_FIELDS.ExtAuthz, 'ExtAuthz');
    onlyKnownFields(extAuthz.http_service, ENVOY_FIELDS.HttpService, 'HttpService');
    onlyKnownFields(extAuthz.http_service.server_uri, ENVOY_FIELDS.HttpUri, 'HttpUri');
    const response = extAuthz.http_service.authorization_response;
    onlyKnownFields(response, ENVOY_FIELDS.AuthorizationResponse, 'AuthorizationResponse');
    for (const matcher of [extAuthz.allowed_headers, ...Object.values(response)] as Yaml[]) {
      onlyKnownFields(matcher, ENVOY_FIELDS.ListStringMatcher, 'ListStringMatcher');
      for (const pattern of matcher.patterns) {
        onlyKnownFields(pattern, ENVOY_FIELDS.StringMatcher, 'StringMatcher');
      }
    }
    onlyKnownFields(extAuthz.status_on_error, ENVOY_FIELDS.HttpStatus, 'HttpStatus');
    expect(ENVOY_STATUS_CODES).toContain(extAuthz.status_on_error.code);
    expect(extAuthz.transport_api_version).toBe('V3');
  });

  it('fails closed, sends the key, hands the organisation upstream and strips the key', () => {
    const extAuthz = envoyExtAuthz();
    expect(extAuthz.failure_mode_allow).toBe(false);
    expect(extAuthz.status_on_error.code).toBe('ServiceUnavailable');
    expect(matches(extAuthz.allowed_headers, 'x-api-key')).toBe(true);
    const response = extAuthz.http_service.authorization_response;
    for (const name of CONTEXT_HEADERS) {
      expect(matches(response.allowed_upstream_headers, name), name).toBe(true);
    }
    for (const name of ['content-type', 'cache-control', 'retry-after']) {
      expect(matches(response.allowed_client_headers, name), name).toBe(true);
    }
    const manager = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    expect(manager.route_config.request_headers_to_remove).toContain('x-api-key');
    // ext_authz runs before the router.
    expect(manager.http_filters.map((filter: Yaml) => filter.name)).toEqual([
      'envoy.filters.http.ext_authz',
      'envoy.filters.http.router',
    ]);
  });

  it('points at keygate with the path prefix keygate.serve.json names', () => {
    const service = envoyExtAuthz().http_service;
    expect(service.path_prefix).toBe(shippedConfig.pathPrefix);
    const cluster = envoy.static_resources.clusters.find(
      (candidate: Yaml) => candidate.name === service.server_uri.cluster,
    );
    const address = cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address;
    expect(`${address.socket_address.address}:${address.socket_address.port_value}`).toBe(
      new URL(service.server_uri.uri).host,
    );
  });
});

describe('the Traefik recipe (traefik.yml, traefik-dynamic.yml)', () => {
  it('wires an entry point, the file provider, the router, its middlewares and service', () => {
    expect(traefikStatic.providers.file.filename).toBe('traefik-dynamic.yml');
    const router = traefik.http.routers.api;
    expect(Object.keys(traefikStatic.entryPoints)).toEqual(router.entryPoints);
    expect(router.middlewares).toEqual(['keygate', 'strip-api-key']);
    for (const name of router.middlewares)
      expect(traefik.http.middlewares[name], name).toBeDefined();
    expect(traefik.http.services[router.service].loadBalancer.servers[0].url).toMatch(/^http:\/\//);
  });

  it('uses only documented forwardAuth options, copies the organisation and strips the key', () => {
    const forwardAuth = traefik.http.middlewares.keygate.forwardAuth;
    onlyKnownFields(forwardAuth, FORWARD_AUTH_FIELDS, 'forwardAuth');
    expect(forwardAuth.trustForwardHeader).toBe(false);
    expect(
      forwardAuth.authResponseHeaders.map((name: string) => name.toLowerCase()).sort(),
    ).toEqual([...CONTEXT_HEADERS].sort());
    // authRequestHeaders would filter what keygate gets; unset, every header (the key) is sent.
    expect(forwardAuth.authRequestHeaders).toBeUndefined();
    expect(traefik.http.middlewares['strip-api-key'].headers.customRequestHeaders).toEqual({
      'X-Api-Key': '',
    });
    // Its check path must not fall under the Envoy prefix, where forwarded headers are ignored.
    expect(isUnderPathPrefix(new URL(forwardAuth.address).pathname, shippedConfig.pathPrefix)).toBe(
      false,
    );
  });

  it('nginx and Caddy check paths do not fall under the Envoy prefix either', () => {
    const nginx = readFileSync(recipePath('nginx.conf'), 'utf8');
    const caddy = readFileSync(recipePath('Caddyfile'), 'utf8');
    const nginxPath = /proxy_pass http:\/\/keygate(\/\S*);/.exec(nginx)![1]!;
    const caddyPath = /^\s*uri (\S+)$/m.exec(caddy)![1]!;
    for (const path of [nginxPath, caddyPath]) {
      expect(isUnderPathPrefix(path, shippedConfig.pathPrefix), path).toBe(false);
    }
  });
});

const available = redisBinariesAvailable('Traefik and Envoy request shapes');

describe.runIf(available)(
  'the requests Traefik and Envoy send, replayed against keygate serve',
  () => {
    let under: ServeUnderTest;

    beforeAll(async () => {
      under = await startServeUnderTest(shippedConfig);
    });

    afterAll(() => under?.close());

    /** What Envoy does with a client request, by its documented rules and the recipe. */
    async function throughEnvoy(method: string, path: string, client: Record<string, string>) {
      const extAuthz = envoyExtAuthz();
      const service = extAuthz.http_service;
      // Only Host, Method, Path, Content-Length, Authorization and the allowed headers are sent.
      const sent: Record<string, string> = { 'content-length': '0' };
      for (const [name, value] of Object.entries(client)) {
        if (name === 'authorization' || matches(extAuthz.allowed_headers, name)) sent[name] = value;
      }
      const check = await send(`${under.serve.url}${service.path_prefix}${path}`, {
        method,
        headers: sent,
      });
      return decide(check, client, (name) =>
        matches(service.authorization_response.allowed_upstream_headers, name),
      );
    }

    /** What Traefik does with a client request, by its documented rules and the recipe. */
    async function throughTraefik(method: string, path: string, client: Record<string, string>) {
      const forwardAuth = traefik.http.middlewares.keygate.forwardAuth;
      // The recipe's address, on this run's port.
      const check = await send(`${under.serve.url}${new URL(forwardAuth.address).pathname}`, {
        method: 'GET',
        headers: {
          ...client,
          // Set by Traefik, replacing a client's own (trustForwardHeader: false).
          'x-forwarded-method': method,
          'x-forwarded-proto': 'http',
          'x-forwarded-host': 'api.example.com',
          'x-forwarded-uri': path,
          'x-forwarded-for': '203.0.113.7',
        },
      });
      const copied = forwardAuth.authResponseHeaders.map((name: string) => name.toLowerCase());
      return decide(check, client, (name) => copied.includes(name));
    }

    // On 2xx the upstream gets the client's headers, the copied ones replacing a client's own, and
    // no key; otherwise the client gets the check's answer.
    function decide(
      check: Answer,
      client: Record<string, string>,
      copies: (name: string) => boolean,
    ) {
      if (check.status < 200 || check.status > 299) return { allowed: false as const, check };
      const upstream: Record<string, string> = { ...client };
      delete upstream['x-api-key'];
      for (const [name, value] of Object.entries(check.headers))
        if (copies(name)) upstream[name] = value;
      return { allowed: true as const, upstream };
    }

    for (const [proxy, through] of [
      ['Envoy', () => throughEnvoy],
      ['Traefik', () => throughTraefik],
    ] as const) {
      describe(proxy, () => {
        it('hands the upstream the organisation, never the key or a client-chosen organisation', async () => {
          const outcome = await through()('GET', '/api/sites?page=2', {
            'x-api-key': under.keys.reader,
            'x-keygate-organisation-id': 'org_spoofed',
          });
          expect(outcome.allowed).toBe(true);
          if (!outcome.allowed) return;
          expect(outcome.upstream).toMatchObject({
            'x-keygate-organisation-id': 'org_a',
            'x-keygate-environment': 'live',
            'x-keygate-scopes': 'sites:read',
          });
          expect(outcome.upstream['x-api-key']).toBeUndefined();
        });

        it('applies the scope rule of the original method and path', async () => {
          const outcome = await through()('POST', '/api/sites', { 'x-api-key': under.keys.reader });
          expect(outcome.allowed).toBe(false);
          if (outcome.allowed) return;
          expect(outcome.check.status).toBe(403);
          expect(outcome.check.json).toMatchObject({
            code: 'insufficient_scope',
            missingScopes: ['sites:write'],
          });
          const writer = await through()('POST', '/api/sites', { 'x-api-key': under.keys.writer });
          expect(writer.allowed).toBe(true);
        });

        it('refuses a revoked key with 401, WWW-Authenticate and the problem body', async () => {
          const outcome = await through()('GET', '/api/sites', { 'x-api-key': under.keys.revoked });
          expect(outcome.allowed).toBe(false);
          if (outcome.allowed) return;
          expect(outcome.check.status).toBe(401);
          expect(outcome.check.headers['www-authenticate']).toMatch(/^ApiKey /);
          expect(outcome.check.json.code).toBe('revoked_api_key');
        });

        it('answers a key sent as a bearer token with the hint (Authorization is sent)', async () => {
          const outcome = await through()('GET', '/api/sites', {
            authorization: `Bearer ${under.keys.reader}`,
          });
          expect(outcome.allowed).toBe(false);
          if (outcome.allowed) return;
          expect(outcome.check.json.detail).toMatch(/not in the Authorization header/);
        });
      });
    }

    it('Envoy: a forwarded URI a client slips in cannot move the check off the real path', async () => {
      const extAuthz = envoyExtAuthz();
      const check = await send(`${under.serve.url}${extAuthz.http_service.path_prefix}/admin`, {
        headers: {
          'x-api-key': under.keys.reader,
          'x-forwarded-uri': '/public',
          'x-original-uri': '/public',
        },
      });
      expect(check.status).toBe(403);
    });
  },
);
