// The API Keys page and its endpoints, as one Fetch handler: the page itself, sign-in and
// sign-out, and keygate's management handler behind the admin session and CSRF checks.
import type { KeyManager } from '@keygate/core';
import { createManagementHandler } from '@keygate/core/management';
import type { SqlAdminTokens, SqlOrganisations } from '../persistence/index.js';
import {
  type AdminSession,
  AdminSessions,
  clearedSessionCookie,
  hasCsrfToken,
  sessionCookie,
} from './admin-sessions.js';
import type { AdminPageAssets } from './page-assets.js';

/** Where the management endpoints are mounted. */
export const ADMIN_API_PATH = '/admin/api';
/** The header the page sends its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** Options of {@link createAdminRoutes}. */
export interface AdminRoutesOptions {
  readonly keys: KeyManager;
  readonly organisations: SqlOrganisations;
  readonly adminTokens: SqlAdminTokens;
  readonly assets: AdminPageAssets;
  /** Mark cookies `Secure` (when served over HTTPS). Default `false`. */
  readonly secureCookies?: boolean;
  readonly sessions?: AdminSessions;
  /**
   * The environments keys may be created for, the default first (the server's accepted ones):
   * the management handler refuses others, and the session answer lists them for the page.
   * Default: whatever the key manager's format allows, not listed.
   */
  readonly environments?: readonly string[];
}

/** Where a request came from, for the audit log (the Fetch `Request` does not say). */
export interface AdminClient {
  readonly ip?: string | undefined;
}

/** Answers the page's requests; `null` for a path that is not the page's. */
export type AdminRoutes = (request: Request, client?: AdminClient) => Promise<Response | null>;

// The page loads only its own script and styles; nothing may frame it.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Builds the page's routes.
 *
 * @example
 * ```ts
 * const admin = createAdminRoutes({ keys: keygate.keys, organisations, adminTokens, assets });
 * const response = await admin(request); // null: not an admin path
 * ```
 */
export function createAdminRoutes(options: AdminRoutesOptions): AdminRoutes {
  const sessions = options.sessions ?? new AdminSessions();
  const secure = options.secureCookies === true;
  const environments = options.environments === undefined ? [] : [...options.environments];
  const manage = createManagementHandler({
    keys: options.keys,
    basePath: ADMIN_API_PATH,
    ...(options.environments === undefined ? {} : { environments }),
  });

  const sessionInfo = async (session: AdminSession) => {
    const organisation = await options.organisations.find(session.organisationId);
    return {
      organisationId: session.organisationId,
      organisationName: organisation?.name ?? session.organisationId,
      csrfToken: session.csrfToken,
      environments,
    };
  };

  return async (request, client) => {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method;
    const asset = options.assets.get(path);
    if (asset !== undefined) {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed('GET, HEAD');
      return new Response(method === 'HEAD' ? null : asset.body, {
        headers: { 'content-type': asset.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS },
      });
    }
    if (
      path !== '/admin/session' &&
      path !== ADMIN_API_PATH &&
      !path.startsWith(`${ADMIN_API_PATH}/`)
    ) {
      return null;
    }
    const unsafe = method !== 'GET' && method !== 'HEAD';
    // Browsers send Origin on every cross-site write; one that is not ours is refused outright.
    const origin = request.headers.get('origin');
    if (unsafe && origin !== null && origin !== url.origin) {
      return problem(403, 'cross_origin', 'Cross-origin requests are refused.');
    }
    const session = sessions.fromCookieHeader(request.headers.get('cookie'));

    if (path === '/admin/session') {
      try {
        return await sessionRoute(request, method, session);
      } catch {
        // The database behind tokens and organisations is down: the client may retry, and it
        // gets the same problem+json shape as every other refusal, never a bare 500.
        return problem(
          503,
          'key_store_unavailable',
          'The database could not be reached; try again shortly.',
          { 'retry-after': '1' },
        );
      }
    }

    if (session === null) return problem(401, 'not_signed_in', 'Sign in with the admin token.');
    if (unsafe && !hasCsrfToken(session, request.headers.get(CSRF_HEADER))) return csrfRefused();
    // The audit log names the session by its actor (a digest, never the cookie's secret id).
    return manage(request, {
      organisationId: session.organisationId,
      actor: session.actor,
      ...(client?.ip === undefined ? {} : { ip: client.ip }),
    });
  };

  async function sessionRoute(
    request: Request,
    method: string,
    session: AdminSession | null,
  ): Promise<Response> {
    if (method === 'GET') {
      if (session === null) return problem(401, 'not_signed_in', 'Sign in with the admin token.');
      return json(200, await sessionInfo(session));
    }
    if (method === 'POST') {
      const token = await readToken(request);
      const organisationId =
        token === null ? null : await options.adminTokens.organisationOf(token);
      const organisation =
        organisationId === null ? null : await options.organisations.find(organisationId);
      if (organisation === null || !organisation.active) {
        return problem(401, 'invalid_admin_token', 'That admin token is not valid.');
      }
      if (session !== null) sessions.end(session);
      const started = sessions.create(organisation.id);
      const response = json(200, await sessionInfo(started));
      response.headers.append('set-cookie', sessionCookie(started, secure));
      return response;
    }
    if (method === 'DELETE') {
      if (session !== null) {
        if (!hasCsrfToken(session, request.headers.get(CSRF_HEADER))) return csrfRefused();
        sessions.end(session);
      }
      const response = new Response(null, {
        status: 204,
        headers: { 'cache-control': 'no-store' },
      });
      response.headers.append('set-cookie', clearedSessionCookie(secure));
      return response;
    }
    return methodNotAllowed('GET, POST, DELETE');
  }
}

// The token comes as JSON from the page's script, or as a form post when scripts are off.
async function readToken(request: Request): Promise<string | null> {
  const type = request.headers.get('content-type') ?? '';
  try {
    if (type.startsWith('application/json')) {
      const body = (await request.json()) as { token?: unknown };
      return typeof body?.token === 'string' ? body.token.trim() : null;
    }
    if (type.startsWith('application/x-www-form-urlencoded')) {
      const token = new URLSearchParams(await request.text()).get('token');
      return token === null ? null : token.trim();
    }
  } catch {
    return null;
  }
  return null;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

function problem(
  status: number,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
) {
  const titles: Record<number, string> = {
    401: 'Not signed in',
    403: 'Forbidden',
    405: 'Method not allowed',
    503: 'Service unavailable',
  };
  return new Response(
    JSON.stringify({ type: 'about:blank', title: titles[status] ?? 'Error', status, detail, code }),
    {
      status,
      headers: {
        'content-type': 'application/problem+json',
        'cache-control': 'no-store',
        ...headers,
      },
    },
  );
}

function csrfRefused(): Response {
  return problem(403, 'csrf', 'The page must send its CSRF token; reload it and try again.');
}

function methodNotAllowed(allow: string): Response {
  return problem(405, 'method_not_allowed', `Use ${allow} here.`, { allow });
}
