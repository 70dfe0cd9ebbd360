// The reference server behind `pnpm start`: the Fastify sites API and the API Keys page on one
// port, keys in the store KEYGATE_STORE names (the CLI's SQLite file by default), organisations,
// admin tokens and sites in the example's own tables.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type RateLimitSettings,
  rateLimitOptions,
  rateLimitSettingsFromEnvironment,
} from '@keygate/cli';
import { createKeygate, type Keygate } from '@keygate/core';
import type { AnyKysely } from '@keygate/sql';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { DEMO_ORGANISATION_ID, demoCurlCommands, serverUrl } from '../demo/index.js';
import { buildFastifyApp } from '../fastify/app.js';
import {
  migrateExampleTables,
  SqlAdminTokens,
  SqlOrganisations,
  SqlSitesRepository,
} from '../persistence/index.js';
import {
  DEFAULT_STORE_URL,
  type OpenedKeyStore,
  openKeyStore,
  peppersFromEnvironment,
} from '../persistence/key-store.js';
import { createAdminRoutes } from './admin-routes.js';
import { createMetricsRoute, METRICS_PATH } from './metrics-route.js';
import {
  toFetchRequest,
  toStreamingFetchRequest,
  writeFetchResponse,
} from './node-fetch-bridge.js';
import { loadAdminPageAssets } from './page-assets.js';
import {
  createSecretScanningRoute,
  SECRET_SCANNING_PATH,
  secretScanningSettings,
} from './secret-scanning-route.js';

/** Options of {@link startReferenceServer}; each defaults from the environment. */
export interface ReferenceServerOptions {
  /** Default `KEYGATE_STORE`, else `sqlite:.keygate/keygate.db`. */
  readonly storeUrl?: string;
  /** Default `PORT`, else 3000; 0 picks a free port. */
  readonly port?: number;
  /** Default `HOST`, else 127.0.0.1. */
  readonly host?: string;
  /** How often last-used times are written (default 5,000 ms; tests use less). */
  readonly lastUsedFlushMs?: number;
  /**
   * How long the verifier trusts a cached key (default 30 s on Redis, whose events reach it at
   * once; 5 s on SQL stores, where a key revoked by another process is refused after this).
   */
  readonly cacheTtlMs?: number;
  /** How long a key-store call may take before the request fails closed with 503 (default 2,000 ms). */
  readonly storeTimeoutMs?: number;
  /** Default `KEYGATE_ADMIN_TOKEN`; without, a new random token on every start. */
  readonly adminToken?: string;
  /** Where a relative SQLite path starts (default `INIT_CWD`, else the working directory). */
  readonly cwd?: string;
  /**
   * How often an unknown GitHub key identifier may refetch the key list (default 60,000 ms;
   * tests use 0).
   */
  readonly secretScanningKeyRefreshMs?: number;
  /**
   * Rate limits: a default limit per key and where counts live (`memory`, per process, or the
   * store's Redis, `strict` or `approximate`, shared by every instance). Default from
   * `KEYGATE_RATE_LIMIT` (`100/1m`), `KEYGATE_RATE_LIMITER` (`memory` or `redis`),
   * `KEYGATE_RATE_LIMIT_MODE` and `KEYGATE_RATE_LIMIT_ON_STORE_ERROR` (docs/quotas.md).
   */
  readonly rateLimit?: RateLimitSettings;
  /** Where KEYGATE_*, PORT, HOST and INIT_CWD are read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What a started server made and printed. */
export interface ReferenceServer {
  readonly url: string;
  readonly organisationId: string;
  /** The admin token printed at this start. */
  readonly adminToken: string;
  /** The demo key, on the first start only (afterwards it is not known: it was shown once). */
  readonly demoKey: string | null;
  readonly keygate: Keygate;
  readonly organisations: SqlOrganisations;
  /** The banner, as printed. */
  readonly banner: string;
  close(): Promise<void>;
}

/**
 * Starts the reference server and returns once it listens.
 *
 * @example
 * ```ts
 * const server = await startReferenceServer({ port: 0, storeUrl: 'sqlite:/tmp/keys.db' });
 * console.log(server.banner);
 * await server.close();
 * ```
 */
export async function startReferenceServer(
  options: ReferenceServerOptions = {},
): Promise<ReferenceServer> {
  const env = options.env ?? process.env;
  const storeUrl = options.storeUrl ?? nonEmpty(env.KEYGATE_STORE) ?? DEFAULT_STORE_URL;
  const host = options.host ?? nonEmpty(env.HOST) ?? '127.0.0.1';
  const port = options.port ?? portFrom(env.PORT);
  // `pnpm start` runs in examples/; relative paths start where the user typed it (INIT_CWD),
  // as they do for `pnpm keygate`, so that both find the same SQLite file.
  const cwd = options.cwd ?? nonEmpty(env.INIT_CWD) ?? process.cwd();
  // Settings mistakes stop the start before anything is opened.
  const secretScanning = secretScanningSettings(env);
  const rateLimit = options.rateLimit ?? rateLimitSettingsFromEnvironment(env);
  const opened = await openKeyStore(storeUrl, { subscribe: true, cwd });
  const cleanup: (() => Promise<unknown>)[] = [() => opened.close()];
  try {
    await opened.migrate();
    const db = opened.db ?? openSideDatabase(cwd, cleanup);
    await migrateExampleTables(db);
    const organisations = new SqlOrganisations(db);
    const adminTokens = new SqlAdminTokens(db);
    const sites = new SqlSitesRepository(db);
    const peppers = peppersFromEnvironment(env);
    const keygate = createKeygate({
      store: opened.store,
      // Every change made through the page (and the CLI, on the same store) is in the audit log.
      ...(opened.audit === undefined ? {} : { audit: opened.audit }),
      resolveOrganisation: organisations.resolve,
      lastUsed: { flushIntervalMs: options.lastUsedFlushMs ?? 5_000 },
      ...rateLimitOptions(rateLimit, opened),
      ...(options.storeTimeoutMs === undefined ? {} : { storeTimeoutMs: options.storeTimeoutMs }),
      cache: {
        ttlMs: options.cacheTtlMs ?? (opened.store.subscribe === undefined ? 5_000 : 30_000),
        negativeTtlMs: 1_000,
      },
      ...(peppers === undefined ? {} : { peppers }),
    });
    cleanup.unshift(() => keygate.close());

    // First start: the demo organisation, a site and a key. Later starts find them.
    let demoKey: string | null = null;
    let siteId: string;
    if ((await organisations.find(DEMO_ORGANISATION_ID)) === null) {
      await organisations.add({
        id: DEMO_ORGANISATION_ID,
        name: 'Demo Organisation',
        active: true,
      });
      siteId = (
        await sites.create(
          { organisationId: DEMO_ORGANISATION_ID, environment: 'live' },
          {
            siteName: 'Wind Park Beta',
            capacity: 12,
            unit: 'MW',
          },
        )
      ).id;
      demoKey = (
        await keygate.keys.create({ organisationId: DEMO_ORGANISATION_ID, name: 'Demo key' })
      ).key;
    } else {
      siteId =
        (await sites.list({ organisationId: DEMO_ORGANISATION_ID, environment: 'live' }))[0]?.id ??
        '<site id>';
    }
    // One string, or none for a new random token (spreading it would pass its first character).
    const adminToken = await adminTokens.replace(
      DEMO_ORGANISATION_ID,
      checkedAdminToken(options.adminToken ?? nonEmpty(env.KEYGATE_ADMIN_TOKEN)),
    );

    const app = buildFastifyApp({ keygate, sites });
    await app.ready();
    cleanup.unshift(() => app.close());
    const admin = createAdminRoutes({
      keys: keygate.keys,
      organisations,
      adminTokens,
      assets: await loadAdminPageAssets(),
      // The page offers what this server accepts, in the format's order (live first).
      environments: keygate.verifier.options.format.environments.filter((environment) =>
        keygate.verifier.options.accepted.has(environment),
      ),
    });
    const secretScanningRoute = createSecretScanningRoute(keygate.verifier, secretScanning, cwd, {
      ...(options.secretScanningKeyRefreshMs === undefined
        ? {}
        : { minKeyRefreshIntervalMs: options.secretScanningKeyRefreshMs }),
    });
    // Prometheus text at GET /metrics, fed by keygate's diagnostics channels.
    const metrics = createMetricsRoute();
    cleanup.unshift(async () => metrics.stop());
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0]!;
      if (path === '/api' || path.startsWith('/api/')) {
        app.routing(request, response);
        return;
      }
      void (async () => {
        if (path === METRICS_PATH) {
          await metrics.handle(request, response);
          return;
        }
        // GitHub's alerts: authenticated by their signature, never by the admin session.
        if (path === SECRET_SCANNING_PATH && secretScanningRoute !== undefined) {
          const answer = await secretScanningRoute(toStreamingFetchRequest(request));
          // An oversized body was left unread: this connection cannot carry another request.
          if (answer.status === 413) response.shouldKeepAlive = false;
          await writeFetchResponse(answer, response);
          return;
        }
        const answer = await admin(await toFetchRequest(request), {
          ip: request.socket.remoteAddress,
        });
        // Everything else belongs to the sites app (its 404 is a problem+json too).
        if (answer === null) app.routing(request, response);
        else await writeFetchResponse(answer, response);
      })().catch((error: unknown) => {
        console.error(
          `reference server: ${error instanceof Error ? error.message : String(error)}`,
        );
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('Internal error');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    cleanup.unshift(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const url = serverUrl(host, (server.address() as AddressInfo).port);
    const banner = bannerText({
      url,
      opened,
      demoKey,
      adminToken,
      siteId,
      headerName: keygate.verifier.headerName,
    });
    return {
      url,
      organisationId: DEMO_ORGANISATION_ID,
      adminToken,
      demoKey,
      keygate,
      organisations,
      banner,
      close: () => runAll(cleanup),
    };
  } catch (error) {
    await runAll(cleanup);
    throw error;
  }
}

// Redis has no tables: the example's own tables then live in a SQLite file of their own.
function openSideDatabase(cwd: string, cleanup: (() => Promise<unknown>)[]): AnyKysely {
  const directory = join(cwd, '.keygate');
  mkdirSync(directory, { recursive: true });
  const db = new Kysely<Record<string, never>>({
    dialect: new SqliteDialect({ database: new Database(join(directory, 'example.db')) }),
  });
  cleanup.push(() => db.destroy());
  return db;
}

function bannerText(parts: {
  url: string;
  opened: OpenedKeyStore;
  demoKey: string | null;
  adminToken: string;
  siteId: string;
  headerName: string;
}): string {
  const lines = [
    `keygate reference server on ${parts.url} (keys in ${parts.opened.displayUrl})`,
    '',
    `Organisation: Demo Organisation (${DEMO_ORGANISATION_ID})`,
    '',
    'API Keys page: open this link to sign in as the organisation admin',
    `  ${parts.url}/#token=${parts.adminToken}`,
    `  (or paste the admin token ${parts.adminToken}; a new one is issued at every start)`,
    '',
  ];
  if (parts.demoKey === null) {
    lines.push(
      'The demo API key was shown at the first start only. Create a new key on the page, or:',
      `  pnpm keygate keys create --org ${DEMO_ORGANISATION_ID} --name "My key"`,
      '',
      'Then try it (replace $KEY):',
      '',
    );
  } else {
    lines.push(
      'Demo API key. It is shown only this once: copy it now.',
      '',
      `  ${parts.demoKey}`,
      '',
      'Try it:',
      '',
    );
  }
  const key = parts.demoKey ?? '$KEY';
  lines.push(
    demoCurlCommands(parts.url, key, parts.siteId, parts.headerName)
      .map(({ title, command }) => `# ${title}\n${command}`)
      .join('\n\n'),
    '',
    'Press Ctrl+C to stop.',
  );
  return lines.join('\n');
}

async function runAll(steps: readonly (() => Promise<unknown>)[]): Promise<void> {
  for (const step of steps) await step().catch(() => {});
}

function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`PORT must be a port number (0–65535), got ${JSON.stringify(value)}`);
  }
  return port;
}

// A token sign-in would refuse (see SqlAdminTokens.organisationOf) is refused at start instead.
function checkedAdminToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  if (token.trim() !== token || token.length < 16 || token.length > 200) {
    throw new RangeError(
      `KEYGATE_ADMIN_TOKEN must be 16 to 200 characters without surrounding spaces (got ${token.length})`,
    );
  }
  return token;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
