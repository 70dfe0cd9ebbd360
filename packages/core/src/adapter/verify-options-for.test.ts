// Which verify options an adapter passes: the Authorization variant only for a missing key, and
// the header is not even read when a key was sent.
import { describe, expect, it } from 'vitest';
import { createKeygate } from '../keygate.js';
import { MemoryKeyStore } from '../memory-key-store.js';
import { resolveApiKeyAuthOptions, verifyOptionsFor } from './adapter-options.js';

describe('verifyOptionsFor', () => {
  const resolved = resolveApiKeyAuthOptions(
    { keygate: createKeygate({ store: new MemoryKeyStore() }) },
    '@keygate/test',
  );

  it('tells a missing or empty key that Authorization was sent, and nothing else', () => {
    const withAuthorization = { authorization: 'Bearer x' };
    expect(verifyOptionsFor(resolved, undefined, withAuthorization)).toBe(
      resolved.verifyOptionsWithAuthorization,
    );
    expect(verifyOptionsFor(resolved, '', withAuthorization)).toBe(
      resolved.verifyOptionsWithAuthorization,
    );
    expect(verifyOptionsFor(resolved, undefined, {})).toBe(resolved.verifyOptions);
    expect(verifyOptionsFor(resolved, 'sk_live_x', withAuthorization)).toBe(resolved.verifyOptions);
  });

  it('does not read Authorization when a key was sent', () => {
    let reads = 0;
    const headers = {
      get authorization() {
        reads++;
        return 'Bearer x';
      },
    };
    verifyOptionsFor(resolved, 'sk_live_x', headers);
    verifyOptionsFor(resolved, ['a', 'b'], headers);
    expect(reads).toBe(0);
  });
});
