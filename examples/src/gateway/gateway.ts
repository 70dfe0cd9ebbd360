// A small authenticating reverse proxy on node:http (the "embedded in a custom gateway" case):
// it checks the key with the core and the adapter kit, removes it, and forwards the request to
// its one upstream with the caller's organisation and key id, streaming both bodies.
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestListener,
  type RequestOptions,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Keygate, Problem, Verifier, VerifyResult } from '@keygate/core';
import { takeApiKeyHeader } from '@keygate/core/adapter';
import { upstreamPath } from './upstream-path.js';

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
 * Builds the request listener. It only ever reaches `upstreamUrl`'s scheme, host and port: the
 * request's path is appended to the upstream's path prefix as a string, never read as a URL
 * (a path like `//other-host/admin` stays a path), and an absolute-form request line
 * (`GET http://other-host/x HTTP/1.1`) is forwarded by its path alone. Serve it with
 * {@link createGatewayServer}, or set `httpAllowHalfOpen` on your own server (see there).
 *
 * @example
 * ```ts
 * const gateway = createGateway({ keygate, upstreamUrl: 'http://127.0.0.1:4000' });
 * createGatewayServer(gateway).listen(3000);
 * ```
 */
export function createGateway(options: GatewayOptions): RequestListener {
  const verifier = options.verifier ?? options.keygate?.verifier;
  if (verifier === undefined) throw new TypeError('gateway: pass keygate or verifier');
  const upstream = new URL(options.upstreamUrl);
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new TypeError('gateway: upstreamUrl must be an http: or https: URL');
  }
  if (upstream.search !== '' || upstream.hash !== '' || upstream.username !== '') {
    throw new TypeError('gateway: upstreamUrl takes a scheme, host, port and path only');
  }
  // Fixed once: nothing a request carries can change where it goes.
  const target = Object.freeze({
    send: upstream.protocol === 'https:' ? httpsRequest : httpRequest,
    protocol: upstream.protocol,
    hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
    port:
      upstream.port === '' ? (upstream.protocol === 'https:' ? 443 : 80) : Number(upstream.port),
    host: upstream.host,
    basePath: upstream.pathname.replace(/\/$/, ''),
  });
  const timeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const headerName = verifier.headerName;
  const clientAddress = (request: unknown) =>
    (request as IncomingMessage).socket.remoteAddress ?? undefined;
  const verifyOptions = Object.freeze({ clientAddress });
  const verifyOptionsWithAuthorization = Object.freeze({
    clientAddress,
    hasAuthorizationHeader: true,
  });

  return (req, res) => {
    const path = upstreamPath(target.basePath, req.url);
    if (path === undefined) {
      req.resume();
      sendProblem(res, gatewayProblem(400, 'bad_request', 'The request target is not a path.'));
      return;
    }
    // The adapter kit reads the key (a repeated header stays visible) and strips it from the
    // request, so that nothing forwarded or logged later carries it.
    const value = takeApiKeyHeader(req, headerName, true);
    // With the client's address, the refusal budget applies: a client that floods the gateway
    // with unknown keys is refused (429) without a store read per key.
    const verified = verifier.verify(
      value,
      req.headers.authorization === undefined ? verifyOptions : verifyOptionsWithAuthorization,
      req,
    );
    const forward = (result: VerifyResult) => {
      if (!result.ok) {
        req.resume();
        sendProblem(res, verifier.problem(result.error));
        return;
      }
      const quotaHeaders = verifier.quotaHeaders(result);
      if (quotaHeaders !== undefined) {
        for (const name in quotaHeaders) res.setHeader(name, quotaHeaders[name]!);
      }
      const headers = forwardedHeaders(req.headers);
      headers.host = target.host;
      headers[ORGANISATION_HEADER] = result.context.organisationId;
      headers[API_KEY_ID_HEADER] = result.context.keyId;
      proxy(
        req,
        res,
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          path,
          method: req.method,
          headers,
          timeout: timeoutMs,
        },
        target.send,
      );
    };
    if (verified instanceof Promise) {
      verified.then(forward, () => {
        req.resume();
        sendProblem(
          res,
          gatewayProblem(500, 'internal_error', 'Something went wrong on our side.'),
        );
      });
    } else {
      forward(verified);
    }
  };
}

/**
 * An HTTP server for the gateway's listener that still answers a client which half-closes its
 * side (sends FIN) right after its request: Node's server otherwise ends such a connection before
 * the upstream's answer arrives. `httpAllowHalfOpen` is the property of `http.Server` that Node's
 * own half-close handling reads.
 *
 * @example
 * ```ts
 * createGatewayServer(createGateway({ keygate, upstreamUrl })).listen(3000);
 * ```
 */
export function createGatewayServer(listener: RequestListener): Server {
  const server = createServer(listener);
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  return server;
}

function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  options: RequestOptions,
  send: typeof httpRequest,
): void {
  let upstreamRequest: ReturnType<typeof httpRequest>;
  try {
    upstreamRequest = send(options);
  } catch {
    // Node refuses a path with characters a request line cannot carry.
    req.resume();
    sendProblem(res, gatewayProblem(400, 'bad_request', 'The request target is not a path.'));
    return;
  }
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
    else
      sendProblem(res, gatewayProblem(502, 'bad_gateway', 'The upstream service is unavailable.'));
  });
  // A client that goes away takes its upstream request with it.
  res.on('close', () => {
    if (!res.writableFinished) upstreamRequest.destroy();
  });
  req.pipe(upstreamRequest);
}

// The request's headers minus those of the connection (and those the Connection header names)
// and minus the ones the gateway sets itself.
function forwardedHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers };
  const connection = headers.connection;
  if (typeof connection === 'string') {
    for (const name of connection.split(',')) delete out[name.trim().toLowerCase()];
  }
  for (const name of HOP_BY_HOP) delete out[name];
  delete out[ORGANISATION_HEADER];
  delete out[API_KEY_ID_HEADER];
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

function gatewayProblem(status: number, code: string, detail: string) {
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
