// The sites API (docs/design.md, "The reference example and the CLI") without a framework: every
// framework's app hands it the method, URL, organisation and body stream, and writes back the
// status, headers and body it returns, so the three servers answer byte for byte alike.
import type { Readable } from 'node:stream';
import { readBodyText } from './read-body.js';
import { checkSiteInput, isUuid, parseJsonBody } from './site-input.js';
import type { SitesRepository } from './sites-repository.js';

/** The path the API is served on. */
export const SITES_PATH = '/api/sites';

/** Bodies longer than this are refused with 413. */
export const MAX_BODY_BYTES = 16 * 1024;

/** What the API needs to know of a request. */
export interface SitesApiRequest {
  readonly method: string;
  /** Path and query as the client sent them (`/api/sites?siteId=…`). */
  readonly url: string;
  /** The calling organisation, from the API key. */
  readonly organisationId: string;
  /** The key's environment (`live`, `test`): each environment's sites are kept apart. */
  readonly environment: string;
  readonly contentType: string | undefined;
  /** The request body, read only for POST. */
  readonly body: Readable;
}

/** What the framework writes back. */
export interface SitesApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Answers one sites request. */
export type SitesApi = (request: SitesApiRequest) => Promise<SitesApiResponse>;

const JSON_HEADERS = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
});

const PROBLEM_HEADERS = Object.freeze({
  'content-type': 'application/problem+json',
  'cache-control': 'no-store',
});

/**
 * Builds the sites API over a repository.
 *
 * @example
 * ```ts
 * const api = createSitesApi(new MemorySitesRepository());
 * const answer = await api({ method: 'GET', url: '/api/sites', organisationId, environment: 'live', contentType: undefined, body: req });
 * ```
 */
export function createSitesApi(sites: SitesRepository): SitesApi {
  return async (request) => {
    switch (request.method) {
      case 'GET':
      case 'HEAD':
        return read(sites, request);
      case 'POST':
        return create(sites, request);
      default:
        return {
          ...problem(405, 'method_not_allowed', 'Method not allowed', 'Use GET or POST.'),
          headers: { ...PROBLEM_HEADERS, allow: 'GET, HEAD, POST' },
        };
    }
  };
}

async function read(sites: SitesRepository, request: SitesApiRequest): Promise<SitesApiResponse> {
  const query = request.url.indexOf('?');
  const siteIds =
    query === -1 ? [] : new URLSearchParams(request.url.slice(query + 1)).getAll('siteId');
  if (siteIds.length === 0) return json(200, await sites.list(request));
  const siteId = siteIds[0]!;
  if (siteIds.length > 1 || !isUuid(siteId)) {
    return problem(400, 'invalid_site_id', 'Invalid siteId', 'siteId must be one UUID.');
  }
  const site = await sites.get(request, siteId.toLowerCase());
  // Another organisation's site is "not found" too: its existence is not the caller's business.
  if (site === null) {
    return problem(404, 'site_not_found', 'Site not found', 'No site with this siteId.');
  }
  return json(200, site);
}

async function create(sites: SitesRepository, request: SitesApiRequest): Promise<SitesApiResponse> {
  const text = await readBodyText(request.body, MAX_BODY_BYTES);
  if (text === null) {
    return {
      ...problem(413, 'body_too_large', 'Body too large', `Send at most ${MAX_BODY_BYTES} bytes.`),
      // The rest of the body is left unread, so the connection cannot carry another request.
      headers: { ...PROBLEM_HEADERS, connection: 'close' },
    };
  }
  const parsed = parseJsonBody(request.contentType, text);
  if (!parsed.ok) return problem(400, 'invalid_body', 'Invalid body', parsed.detail);
  const input = checkSiteInput(parsed.value);
  if (!input.ok) return problem(400, 'invalid_body', 'Invalid body', input.detail);
  const site = await sites.create(request, input.value);
  return {
    status: 201,
    headers: { ...JSON_HEADERS, location: `${SITES_PATH}?siteId=${site.id}` },
    body: JSON.stringify(site),
  };
}

/** A problem+json answer (RFC 9457) in the same shape as keygate's refusals. */
export function problem(
  status: number,
  code: string,
  title: string,
  detail: string,
): SitesApiResponse {
  return {
    status,
    headers: PROBLEM_HEADERS,
    body: JSON.stringify({
      type: `https://keygate.dev/examples/problems/${code}`,
      title,
      status,
      detail,
      code,
    }),
  };
}

function json(status: number, value: unknown): SitesApiResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(value) };
}

/** The answer for an error the application did not expect (a 500, with nothing internal in it). */
export const INTERNAL_ERROR: SitesApiResponse = problem(
  500,
  'internal_error',
  'Internal server error',
  'Something went wrong on our side.',
);

/** The answer for a path the API does not serve. */
export const NOT_FOUND: SitesApiResponse = problem(
  404,
  'not_found',
  'Not found',
  'No such endpoint.',
);
