import { describe, expect, it } from 'vitest';
import { upstreamPath } from './upstream-path.js';

describe('upstreamPath', () => {
  it.each([
    ['', '/api/sites?x=1', '/api/sites?x=1'],
    ['', '//evil:4999/admin', '//evil:4999/admin'],
    ['/base', '//evil:4999/admin', '/base//evil:4999/admin'],
    ['', 'http://evil:4999/admin?x=1', '/admin?x=1'],
    ['/base', 'HTTPS://evil', '/base/'],
    ['', 'http://evil?x=1', '/?x=1'],
  ])('joins %j and %j into %j', (base, target, path) => {
    expect(upstreamPath(base, target)).toBe(path);
  });

  it.each([undefined, '', '*', 'evil:443', 'ftp://evil/x', 'http://evil#x', 'javascript:x'])(
    'refuses %j',
    (target) => {
      expect(upstreamPath('', target)).toBeUndefined();
    },
  );
});
