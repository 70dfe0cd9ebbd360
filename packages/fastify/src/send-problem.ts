// Writes a refusal exactly as core built it (status, headers and body, nothing added), and the
// quota header fields core built for an accepted request.
import type { Problem } from '@keygate/core';
import { problemBodies } from '@keygate/core/adapter';
import type { FastifyReply } from 'fastify';

// Fastify appends "; charset=utf-8" to a JSON-like type when the payload is a string; a Buffer is
// sent as it is. One Buffer per refusal: the fixed refusals are built once per verifier.
const bodyOf = problemBodies((json) => Buffer.from(json));

/** Sets core's quota header fields (RateLimit, credits) on an accepted request's reply. */
export function setHeaders(
  reply: FastifyReply,
  headers: Readonly<Record<string, string>> | undefined,
): void {
  if (headers !== undefined) reply.headers(headers);
}

/** Answers with `problem`. */
export function sendProblem(reply: FastifyReply, problem: Problem): void {
  reply.code(problem.status).headers(problem.headers).send(bodyOf(problem));
}
