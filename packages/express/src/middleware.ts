// apiKeyAuth(): the Express 4 and 5 middleware. It reads the header, asks core, and either
// attaches the context and calls next() or writes core's refusal; it decides nothing itself.
import type { VerifyResult } from '@keygate/core';
import {
  type ApiKeyAuthOptions,
  resolveApiKeyAuthOptions,
  takeApiKeyHeader,
  verifyOptionsFor,
} from '@keygate/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { attachApiKey } from './request-context.js';
import { sendProblem, setHeaders } from './send-problem.js';

// Express's client IP follows the app's `trust proxy` setting; read only on a cache miss.
const clientIp = (req: Request): string | undefined => req.ip;

/**
 * Builds the middleware that authenticates every request by its `x-api-key` header. On success
 * `req.apiKey` holds the key and its organisation; on refusal the client gets core's
 * problem+json answer and no later handler runs. A `resolveOrganisation` that throws or stalls
 * is answered like a store failure (503 `key_store_unavailable`); an unexpected rejection goes to
 * `next(error)` (a 500 from your error handler), on Express 4 as on 5.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createKeygate, MemoryKeyStore } from '@keygate/core';
 * import { apiKeyAuth, getApiKey } from '@keygate/express';
 *
 * const keygate = createKeygate({ store: new MemoryKeyStore() });
 * const app = express();
 * app.use('/api', apiKeyAuth({ keygate }));
 * app.get('/api/whoami', (req, res) => {
 *   res.json({ organisationId: getApiKey(req).organisationId });
 * });
 * ```
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): RequestHandler {
  const resolved = resolveApiKeyAuthOptions(options, '@keygate/express', clientIp);
  const { verifier, headerName, stripHeader } = resolved;

  const settle = (result: VerifyResult, req: Request, res: Response, next: NextFunction) => {
    if (result.ok) {
      if (result.quota !== undefined) setHeaders(res, verifier.quotaHeaders(result));
      attachApiKey(req, result.context);
      next();
    } else {
      sendProblem(res, verifier.problem(result.error));
    }
  };

  return function apiKeyAuthMiddleware(req, res, next) {
    const value = takeApiKeyHeader(req, headerName, stripHeader);
    const result = verifier.verify(value, verifyOptionsFor(resolved, value, req.headers), req);
    // A cache hit answers synchronously: keep it synchronous, with no extra microtask.
    if (result instanceof Promise) {
      result.then((settled) => settle(settled, req, res, next)).catch(next);
    } else {
      settle(result, req, res, next);
    }
  };
}
