// The page's talk with its server: the JSON it reads, and one request function that sends the
// session's CSRF token and turns a problem+json answer into an error the page can show.

/** A key as the management endpoints list it (`ManagedApiKey` of `@keygate/core/management`). */
export interface ManagedKey {
  id: string;
  name: string;
  prefix: string;
  environment: string;
  scopes: string[];
  status: 'active' | 'expired' | 'revoked' | 'disabled';
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  disabledAt: string | null;
  replacedById: string | null;
  leakedAt: string | null;
  rateLimit: { limit: number; windowMs: number } | null;
  credits: {
    remaining: number;
    refill: { amount: number; intervalMs: number } | null;
    refilledAt: string;
  } | null;
}

/** The signed-in admin, as `/admin/session` answers. */
export interface SessionInfo {
  organisationId: string;
  organisationName: string;
  csrfToken: string;
  /** The environments keys may be created for (the first is the default). */
  environments?: string[];
}

/** Thrown when the session has ended: the page has already gone back to the sign-in form. */
export class NotSignedIn extends Error {}

/** Where the management endpoints are mounted. */
export const API = '/admin/api';

let csrfToken = '';
let signedOut: () => void = () => {};

/** Remembers the session's CSRF token (empty when signed out). */
export function useCsrfToken(token: string): void {
  csrfToken = token;
}

/** What to do when the server says the session has ended. */
export function whenSignedOut(handler: () => void): void {
  signedOut = handler;
}

/** The path of one key's endpoint. */
export function keyPath(id: string, action = ''): string {
  return `${API}/keys/${encodeURIComponent(id)}${action === '' ? '' : `/${action}`}`;
}

/** Sends a request; a problem's `detail` becomes the error's message. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      'x-csrf-token': csrfToken,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 401) {
    signedOut();
    throw new NotSignedIn('Your session ended: sign in again.');
  }
  if (response.status === 204) return undefined as T;
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(
      (answer as { detail?: string }).detail ?? `The server answered ${response.status}.`,
    );
  }
  return answer as T;
}
