// examples/README.md lists every start script of the examples package, so no server there is
// reachable only by reading package.json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(
  readFileSync(new URL('../../examples/package.json', import.meta.url), 'utf8'),
) as { scripts: Record<string, string> };
const readme = readFileSync(new URL('../../examples/README.md', import.meta.url), 'utf8');
const startScripts = Object.keys(manifest.scripts).filter((name) => name.startsWith('start:'));

describe('examples/README.md', () => {
  it('has a start script for every framework', () => {
    expect(startScripts).toEqual(
      expect.arrayContaining(['start:express', 'start:koa', 'start:fastify', 'start:hono']),
    );
  });

  it.each(startScripts)('names %s', (script) => {
    expect(readme).toContain(`pnpm --filter @keygate/examples ${script}\``);
  });
});
