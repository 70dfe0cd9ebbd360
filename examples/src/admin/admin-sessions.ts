// Admin sessions of the API Keys page: a random id in an HttpOnly, SameSite=Strict cookie, and
// a CSRF token that the page sends back on every write. Kept in memory: a restart signs out.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The session cookie's name. */
export const SESSION_COOKIE = 'keygate_admin';
/** How long a session lasts without being renewed. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

/** One signed-in admin. */
export interface AdminSession {
  readonly id: string;
  readonly organisationId: string;
  /**
   * How the audit log names this session: `admin:session-` and the first 12 hex digits of the
   * id's SHA-256, so that an event can be told apart by session without holding its secret id.
   */
  readonly actor: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

/**
 * Sessions by id.
 *
 * @example
 * ```ts
 * const sessions = new AdminSessions();
 * const session = sessions.create('org_demo');
 * response.headers.append('set-cookie', sessionCookie(session, false));
 * ```
 */
export class AdminSessions {
  readonly #byId = new Map<string, AdminSession>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  create(organisationId: string): AdminSession {
    this.#sweep();
    const id = randomBytes(32).toString('base64url');
    const session: AdminSession = Object.freeze({
      id,
      organisationId,
      actor: `admin:session-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: this.#now() + SESSION_TTL_MS,
    });
    this.#byId.set(session.id, session);
    return session;
  }

  /** The live session named by the request's cookie, or `null`. */
  fromCookieHeader(cookieHeader: string | null): AdminSession | null {
    const id = readCookie(cookieHeader, SESSION_COOKIE);
    if (id === undefined) return null;
    const session = this.#byId.get(id);
    if (session === undefined) return null;
    if (session.expiresAt <= this.#now()) {
      this.#byId.delete(id);
      return null;
    }
    return session;
  }

  end(session: AdminSession): void {
    this.#byId.delete(session.id);
  }

  // Expired sessions go when new ones come; past the cap the oldest go first.
  #sweep(): void {
    const now = this.#now();
    for (const [id, session] of this.#byId) {
      if (session.expiresAt <= now || this.#byId.size >= MAX_SESSIONS) this.#byId.delete(id);
    }
  }
}

/** True when the request's CSRF header is the session's token. */
export function hasCsrfToken(session: AdminSession, header: string | null): boolean {
  if (header === null) return false;
  const sent = Buffer.from(header);
  const expected = Buffer.from(session.csrfToken);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

/** The `Set-Cookie` value that starts a session. */
export function sessionCookie(session: AdminSession, secure: boolean): string {
  const maxAge = Math.floor(SESSION_TTL_MS / 1000);
  return `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

/** The `Set-Cookie` value that ends one. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
