// Writes a refusal exactly as core built it (status, headers and body, nothing added), and the
// quota header fields core built for an accepted request.
import type { ServerResponse } from 'node:http';
import type { Problem } from '@keygate/core';

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
  // A string body: Node writes it in one piece with the head (a Buffer goes as a second chunk).
  res.end(problem.json);
}
