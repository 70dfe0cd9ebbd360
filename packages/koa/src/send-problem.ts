// Writes a refusal exactly as core built it: status, headers and body, nothing added.
import type { Problem } from '@keygate/core';
import type { Context } from 'koa';

/** Answers with `problem`. Headers go first, so Koa keeps core's content type for the body. */
export function sendProblem(ctx: Context, problem: Problem): void {
  ctx.status = problem.status;
  ctx.set(problem.headers);
  ctx.body = problem.json;
}
