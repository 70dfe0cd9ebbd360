// Refusal bodies are encoded once per problem, and each problem gets its own.
import { describe, expect, it } from 'vitest';
import { InvalidApiKeyError, MissingApiKeyError } from '../errors.js';
import { toProblem } from '../problem.js';
import { problemBodies } from './problem-bodies.js';

describe('problemBodies', () => {
  it('encodes each problem once and gives every later caller the same bytes', () => {
    const options = { realm: 'api', headerName: 'x-api-key' };
    const invalid = toProblem(new InvalidApiKeyError('No such key.'), options);
    const missing = toProblem(new MissingApiKeyError('No key was sent.'), options);
    let encoded = 0;
    const bodyOf = problemBodies((json) => {
      encoded++;
      return new TextEncoder().encode(json);
    });
    const first = bodyOf(invalid);
    expect(bodyOf(invalid)).toBe(first);
    expect(new TextDecoder().decode(first)).toBe(invalid.json);
    expect(new TextDecoder().decode(bodyOf(missing))).toBe(missing.json);
    expect(encoded).toBe(2);
  });
});
