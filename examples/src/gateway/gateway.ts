// A small authenticating reverse proxy on node:http (the "embedded in a custom gateway" case):
// it checks the key with the core and Fetch APIs, removes it, and forwards the request upstream
// with the caller's organisation and key id, streaming both bodies.
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Keygate, Problem, Verifier, VerifyResult } from '@keygate/core';
import { apiKeyHeaderValues, headersWithoutApiKey } from '@keygate/core/fetch';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** From `createKeygate`; or pass `verifier`. */
  readonly keygate?: Pick<Keygate, 'verifier'>;
  readonly verifier?: Verifier;
  /** Where requests go: `http://host:port` with an optional path prefix. */
  readonly upstreamUrl: string;
  /** How long the upstream may take to answer (default 30,000 ms). */
  readonly upstreamTimeoutMs?: number;
}

/** The headers the gateway sets for the upstream; whatever a client sent under these is replaced. */
export const ORGANISATION_HEADER = 'x-organisation-id';
export const API_KEY_ID_HEADER = 'x-api-key-id';

// Headers that describe one connection, not the message (RFC 9110 section 7.6.1).
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/**
 * Builds the request listener.
 *
 * @example
 * ```ts
 * const gateway = createGateway({ keygate, upstreamUrl: 'http://127.0.0.1:4000' });
 * http.createServer(gateway).listen(3000);
 * ```
 */
export function createGateway(options: GatewayOptions): RequestListener {
  const verifier = options.verifier ?? options.keygate?.verifier;
  if (verifier === undefined) throw new TypeError('gateway: pass keygate or verifier');
  const upstream = new URL(options.upstreamUrl);
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new TypeError('gateway: upstreamUrl must be an http: or https: URL');
  }
  const basePath = upstream.pathname.replace(/\/$/, '');
  const timeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const headerName = verifier.headerName;

  return (req, res) => {
    const headers = fetchHeaders(req.rawHeaders);
    if (headers === null) {
      sendProblem(res, badGateway(400, 'bad_request', 'The request headers are malformed.'));
      return;
    }
    const verified = verifier.verify(apiKeyHeaderValues(headers, headerName), {
      hasAuthorizationHeader: headers.has('authorization'),
    });
    const forward = (result: VerifyResult) => {
      if (!result.ok) {
        req.resume();
        sendProblem(res, verifier.problem(result.error));
        return;
      }
      const outgoing = headersWithoutApiKey(headers, headerName);
      for (const name of HOP_BY_HOP) outgoing.delete(name);
      outgoing.delete('host');
      outgoing.set(ORGANISATION_HEADER, result.context.organisationId);
      outgoing.set(API_KEY_ID_HEADER, result.context.keyId);
      proxy(req, res, new URL(basePath + (req.url ?? '/'), upstream), outgoing, timeoutMs);
    };
    if (verified instanceof Promise) {
      verified.then(forward, () => {
        req.resume();
        sendProblem(res, badGateway(500, 'internal_error', 'Something went wrong on our side.'));
      });
    } else {
      forward(verified);
    }
  };
}

function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  target: URL,
  headers: Headers,
  timeoutMs: number,
): void {
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstreamRequest = send(target, {
    method: req.method,
    headers: nodeHeaders(headers),
    timeout: timeoutMs,
  });
  upstreamRequest.on('response', (upstreamResponse) => {
    res.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders(upstreamResponse.headers));
    upstreamResponse.pipe(res);
    upstreamResponse.on('error', () => res.destroy());
  });
  upstreamRequest.on('timeout', () =>
    upstreamRequest.destroy(new Error('the upstream did not answer in time')),
  );
  upstreamRequest.on('error', () => {
    if (res.headersSent) res.destroy();
    else sendProblem(res, badGateway(502, 'bad_gateway', 'The upstream service is unavailable.'));
  });
  // A client that goes away takes its upstream request with it.
  res.on('close', () => {
    if (!res.writableFinished) upstreamRequest.destroy();
  });
  req.pipe(upstreamRequest);
}

// Fetch `Headers` from Node's raw pairs, so that a repeated key header stays visible; `null`
// when a value is one that `Headers` refuses.
function fetchHeaders(rawHeaders: readonly string[]): Headers | null {
  const headers = new Headers();
  try {
    for (let index = 0; index < rawHeaders.length; index += 2) {
      headers.append(rawHeaders[index]!, rawHeaders[index + 1]!);
    }
  } catch {
    return null;
  }
  return headers;
}

function nodeHeaders(headers: Headers): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const copy: OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

function sendProblem(res: ServerResponse, problem: Pick<Problem, 'status' | 'headers' | 'json'>) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(problem.status, problem.headers).end(problem.json);
}

function badGateway(status: number, code: string, detail: string) {
  const body = {
    type: `https://keygate.dev/examples/problems/${code}`,
    title: code,
    status,
    detail,
    code,
  };
  return {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    json: JSON.stringify(body),
  };
}
