// Writes a refusal exactly as core built it (status, headers and body, nothing added), and the
// quota header fields core built for an accepted request.
import type { Problem } from '@keygate/core';
import type { Context } from 'koa';

/** Sets core's quota header fields (RateLimit, credits) on an accepted request's response. */
export function setHeaders(
  ctx: Context,
  headers: Readonly<Record<string, string>> | undefined,
): void {
  if (headers !== undefined) ctx.set(headers);
}

/** Answers with `problem`. Headers go first, so Koa keeps core's content type for the body. */
export function sendProblem(ctx: Context, problem: Problem): void {
  ctx.status = problem.status;
  ctx.set(problem.headers);
  // A string body: Node writes it in one piece with the head (a Buffer goes as a second chunk).
  ctx.body = problem.json;
}
