// Writes a refusal exactly as core built it (status, headers and body, nothing added), and the
// quota header fields core built for an accepted request.
import type { Problem } from '@keygate/core';
import type { FastifyReply } from 'fastify';

// The body goes out as core's JSON string: Node writes a string body in one piece with the head,
// where a Buffer is queued after it and written as a second chunk. Fastify appends
// "; charset=utf-8" to a JSON-like type when it serialises a string itself; a reply serializer
// (here one that hands the string back) takes that step's place, so the type stays core's.
const asIs = (json: string): string => json;

/** Sets core's quota header fields (RateLimit, credits) on an accepted request's reply. */
export function setHeaders(
  reply: FastifyReply,
  headers: Readonly<Record<string, string>> | undefined,
): void {
  if (headers !== undefined) reply.headers(headers);
}

/** Answers with `problem`. */
export function sendProblem(reply: FastifyReply, problem: Problem): void {
  reply.code(problem.status).headers(problem.headers).serializer(asIs).send(problem.json);
}
