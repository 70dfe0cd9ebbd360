import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCheckHeaders } from './check-headers.js';

// What Node's own header table makes of the same raw headers: the reference this reader must
// agree with wherever the forward-auth server used to read `request.headers`.
function nodeHeaders(raw: string[]): IncomingMessage['headers'] {
  const message = new IncomingMessage(new Socket());
  for (let index = 0; index < raw.length; index += 2) {
    message.rawHeaders.push(raw[index]!, raw[index + 1]!);
  }
  // biome-ignore lint/suspicious/noExplicitAny: Node's own header-line parser, as http uses it
  const add = (message as any)._addHeaderLine.bind(message);
  const headers: IncomingMessage['headers'] = {};
  for (let index = 0; index < raw.length; index += 2) add(raw[index], raw[index + 1], headers);
  return headers;
}

describe('readCheckHeaders', () => {
  it('matches names in any case and reads each once', () => {
    const read = readCheckHeaders(
      [
        'Host',
        'auth',
        'X-API-KEY',
        'sk_live_one',
        'Authorization',
        'Bearer x',
        'x-original-uri',
        '/a',
        'X-Forwarded-URI',
        '/b',
        'X-Forwarded-Method',
        'post',
        'X-Keygate-Problem-Header',
        '1',
      ],
      'x-api-key',
    );
    expect(read).toEqual({
      key: 'sk_live_one',
      hasAuthorization: true,
      forwardedUri: '/a',
      forwardedMethod: 'post',
      wantsProblemHeader: true,
    });
  });

  it('hands every value of a repeated key header, in order, so that verify refuses it', () => {
    const raw = ['x-api-key', 'a', 'Accept', '*/*', 'X-Api-Key', 'b', 'x-api-key', 'c'];
    expect(readCheckHeaders(raw, 'x-api-key').key).toEqual(['a', 'b', 'c']);
    expect(readCheckHeaders(['x-other', 'a'], 'x-api-key').key).toBeUndefined();
    expect(readCheckHeaders(['X-Custom-Key', 'k'], 'x-custom-key').key).toBe('k');
  });

  it('agrees with Node on the key, the Authorization header and the forwarded URI', () => {
    const names = [
      'x-api-key',
      'X-Api-Key',
      'authorization',
      'AUTHORIZATION',
      'x-original-uri',
      'X-Forwarded-Uri',
      'x-original-method',
      'x-forwarded-method',
      'accept',
      'x-api-keys',
      'x-api-ke',
    ];
    const header = fc.tuple(fc.constantFrom(...names), fc.stringMatching(/^[!-~]{0,12}$/));
    fc.assert(
      fc.property(fc.array(header, { maxLength: 8 }), (pairs) => {
        const raw = pairs.flat();
        const node = nodeHeaders(raw);
        const read = readCheckHeaders(raw, 'x-api-key');
        // Node joins a repeated unknown header with ", "; the reader keeps the values apart.
        const key =
          read.key === undefined || typeof read.key === 'string' ? read.key : read.key.join(', ');
        expect(key).toBe(node['x-api-key']);
        expect(read.hasAuthorization).toBe(node.authorization !== undefined);
        // Node joins repeats where the reader takes the first value; both see the same header.
        const first = (name: string) => pairs.find(([raw]) => raw.toLowerCase() === name)?.[1];
        expect(read.forwardedUri).toBe(first('x-original-uri') ?? first('x-forwarded-uri'));
        expect(read.forwardedUri === undefined).toBe(
          (node['x-original-uri'] ?? node['x-forwarded-uri']) === undefined,
        );
      }),
      { numRuns: 500 },
    );
  });
});
