// Writes a refusal exactly as core built it: status, headers and body, nothing added.
import type { ServerResponse } from 'node:http';
import type { Problem } from '@keygate/core';

/** Ends `res` with `problem`. Goes around `res.send` so no ETag or charset is added. */
export function sendProblem(res: ServerResponse, problem: Problem): void {
  res.statusCode = problem.status;
  const headers = problem.headers;
  for (const name in headers) res.setHeader(name, headers[name]!);
  res.end(problem.json);
}
