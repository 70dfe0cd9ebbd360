// The request listener of `keygate serve`: each request is a proxy asking "may this request
// through?". A valid key gets 200 with the organisation in headers (never the key); a refusal gets
// core's problem+json answer, which the proxy hands to the client as it is. `GET /healthz` says
// whether the store answers.
import type { RequestListener, ServerResponse } from 'node:http';
import type { AuthContext, Problem, Verifier, VerifyResult } from '@keygate/core';
import { type CheckHeaders, readCheckHeaders } from './check-headers.js';
import { isUnder, originalRequest } from './original-request.js';
import { compileScopeRules } from './scope-rules.js';
import type { ServeConfig } from './serve-config.js';
import type { StoreHealth } from './store-health.js';

/**
 * The response header carrying a refusal's problem+json body when the proxy asks for it with
 * `x-keygate-problem-header` (nginx's `auth_request` drops the body of a refusal; the recipe
 * picks this header up with `auth_request_set`).
 */
export const PROBLEM_HEADER = 'x-keygate-problem';

/** Options of {@link createForwardAuthHandler}. */
export interface ForwardAuthHandlerOptions {
  readonly verifier: Verifier;
  readonly config: ServeConfig;
  readonly health: StoreHealth;
}

/**
 * Builds the listener. A cache hit is answered synchronously, with headers built once per key.
 *
 * @example
 * ```ts
 * http.createServer(createForwardAuthHandler({ verifier, config, health })).listen(8181);
 * ```
 */
export function createForwardAuthHandler(options: ForwardAuthHandlerOptions): RequestListener {
  const { verifier, config, health } = options;
  const headerName = verifier.headerName;
  const rules = compileScopeRules(config.routes);
  const names = config.headers;
  // A cached key hands back the same context object, so its answer headers are built once.
  const successHeaders = new WeakMap<AuthContext, readonly string[]>();
  const headersFor = (context: AuthContext): readonly string[] => {
    let headers = successHeaders.get(context);
    if (headers === undefined) {
      headers = [
        names.organisationId,
        context.organisationId,
        names.keyId,
        context.keyId,
        names.environment,
        context.environment,
        names.scopes,
        context.scopes.join(' '),
        'cache-control',
        'no-store',
        'content-length',
        '0',
      ];
      successHeaders.set(context, headers);
    }
    return headers;
  };

  const answer = (result: VerifyResult, headers: CheckHeaders, response: ServerResponse) => {
    if (result.ok) {
      const success = headersFor(result.context) as string[];
      // A key with quotas: where they stand after this request, for the proxy to pass on.
      const quota = result.quota === undefined ? undefined : verifier.quotaHeaders(result);
      if (quota === undefined) response.writeHead(200, success).end();
      else response.writeHead(200, [...success, ...Object.entries(quota).flat()]).end();
      return;
    }
    const problem = verifier.problem(result.error);
    if (headers.wantsProblemHeader) {
      response.setHeader(PROBLEM_HEADER, problem.json);
    }
    sendProblem(response, problem);
  };

  return (request, response) => {
    const url = request.url ?? '/';
    const headers = readCheckHeaders(request.rawHeaders, headerName);
    if (
      url === '/healthz' &&
      (request.method === 'GET' || request.method === 'HEAD') &&
      headers.forwardedUri === undefined &&
      !(config.pathPrefix !== '' && isUnder(url, config.pathPrefix))
    ) {
      void health.check().then((report) => {
        response
          .writeHead(report.reachable ? 200 : 503, {
            'content-type': 'application/json',
            'cache-control': 'no-store',
            ...(report.reachable ? {} : { 'retry-after': '5' }),
          })
          .end(JSON.stringify(report.body));
      });
      return;
    }
    const original = originalRequest(request, headers, config.pathPrefix);
    const rule = rules(original.method, original.path);
    const result = verifier.verify(
      headers.key,
      headers.hasAuthorization ? rule.withAuthorization : rule.plain,
    );
    // A cache hit answers synchronously: no extra microtask on the hot path.
    if (result instanceof Promise) {
      result.then(
        (settled) => answer(settled, headers, response),
        () => sendInternalError(response),
      );
    } else {
      answer(result, headers, response);
    }
  };
}

function sendProblem(response: ServerResponse, problem: Problem): void {
  response.statusCode = problem.status;
  const headers = problem.headers;
  for (const name in headers) response.setHeader(name, headers[name]!);
  response.end(problem.json);
}

// Only a bug (a throwing organisation resolver) gets here: a 500, never a 401 or a 200.
function sendInternalError(response: ServerResponse): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response
    .writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end('{"error":"internal"}');
}
