// `keygate serve` for the tests: a private redis-server (so a test may stop it), the server
// in-process over it, keys in every state made through the CLI's own store opener, and the
// scope rules the tests rely on.

import {
  type ForwardAuthServer,
  type OpenedKeyStore,
  openKeyStore,
  parseServeConfig,
  type ServeConfig,
  startForwardAuthServer,
} from '@keygate/cli';
import { createKeygate, type Keygate } from '@keygate/core';
import {
  findFreePort,
  makeTempDir,
  type RedisServer,
  startRedisServer,
  stopRedisServer,
} from '../../redis/support/redis-server.js';

/** The scope rules of the tests: /admin needs `admin`, POST /api/sites needs `sites:write`. */
export const TEST_SERVE_CONFIG: ServeConfig = parseServeConfig(
  {
    routes: [
      { path: '/admin', scopes: ['admin'] },
      { path: '/api/sites', methods: ['POST'], scopes: ['sites:write'] },
    ],
    environments: ['live'],
    pathPrefix: '/envoy',
  },
  'test config',
);

/** Keys in every state, by name. */
export type FixtureKeys = Record<
  'reader' | 'writer' | 'admin' | 'expired' | 'revoked' | 'orphan' | 'testEnvironment',
  string
>;

/** A running serve over its own Redis, and what the tests use around it. */
export interface ServeUnderTest {
  readonly redis: RedisServer;
  readonly storeUrl: string;
  readonly serve: ForwardAuthServer;
  /** The same store, opened as the CLI opens it, for making keys. */
  readonly opened: OpenedKeyStore;
  readonly keygate: Keygate;
  readonly keys: FixtureKeys;
  /** Stops everything (idempotent). */
  close(): Promise<void>;
}

/**
 * Starts a redis-server on a free port, `keygate serve` over it, and makes the fixture keys.
 */
export async function startServeUnderTest(
  config: ServeConfig = TEST_SERVE_CONFIG,
): Promise<ServeUnderTest> {
  const redis = await startRedisServer(await findFreePort(), makeTempDir('serve'));
  const storeUrl = redis.url;
  const opened = await openKeyStore(storeUrl);
  const keygate = createKeygate({
    store: opened.store,
    cache: false,
    lastUsed: false,
    onError: () => {},
  });
  const serve = await startForwardAuthServer({ storeUrl, port: 0, config, onError: () => {} });
  const create = async (input: Parameters<Keygate['keys']['create']>[0]) =>
    (await keygate.keys.create(input)).key;
  const revoked = await keygate.keys.create({ organisationId: 'org_a', name: 'revoked' });
  await keygate.keys.revoke(revoked.record.id);
  const keys: FixtureKeys = {
    reader: await create({ organisationId: 'org_a', name: 'reader', scopes: ['sites:read'] }),
    writer: await create({
      organisationId: 'org_a',
      name: 'writer',
      scopes: ['sites:read', 'sites:write'],
    }),
    admin: await create({ organisationId: 'org_b', name: 'admin', scopes: ['admin'] }),
    expired: await create({
      organisationId: 'org_a',
      name: 'expired',
      expiresAt: new Date(Date.now() - 60_000),
    }),
    revoked: revoked.key,
    orphan: await create({ organisationId: null, name: 'orphan' }),
    testEnvironment: await create({ organisationId: 'org_a', name: 'test', environment: 'test' }),
  };
  let closing: Promise<void> | undefined;
  return {
    redis,
    storeUrl,
    serve,
    opened,
    keygate,
    keys,
    close: () => {
      closing ??= (async () => {
        await serve.close();
        await keygate.close();
        await opened.close().catch(() => {});
        await stopRedisServer(redis);
      })();
      return closing;
    },
  };
}
