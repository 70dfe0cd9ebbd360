// Writes a refusal exactly as core built it (status, headers and body, nothing added), and the
// quota header fields core built for an accepted request.
import type { ServerResponse } from 'node:http';
import type { Problem } from '@keygate/core';
import { problemBodies } from '@keygate/core/adapter';

// One Buffer per refusal: Node sends it with no per-request encoding of the JSON.
const bodyOf = problemBodies((json) => Buffer.from(json));

/** Sets core's quota header fields (RateLimit, credits) on an accepted request's response. */
export function setHeaders(
  res: ServerResponse,
  headers: Readonly<Record<string, string>> | undefined,
): void {
  if (headers === undefined) return;
  for (const name in headers) res.setHeader(name, headers[name]!);
}

/** Ends `res` with `problem`. Goes around `res.send` so no ETag or charset is added. */
export function sendProblem(res: ServerResponse, problem: Problem): void {
  res.statusCode = problem.status;
  const headers = problem.headers;
  for (const name in headers) res.setHeader(name, headers[name]!);
  res.end(bodyOf(problem));
}
