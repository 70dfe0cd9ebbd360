// The README's 30-second example, run exactly as written (in the examples package, where its
// imports resolve), and the curl command it prints, sent as printed.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
const script = fileURLToPath(
  new URL('../../examples/src/readme-example.generated.ts', import.meta.url),
);
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
  rmSync(script, { force: true });
});

it('runs the README example and its printed curl command answers 200 with the organisation', async () => {
  expect(example).toBeDefined();
  writeFileSync(script, example!);
  child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: fileURLToPath(new URL('../../examples', import.meta.url)),
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await expect.poll(() => output, { timeout: 20_000, interval: 50 }).toMatch(/curl .*\n/);
  const match = /curl -H "x-api-key: (sk_live_[A-Za-z0-9_-]{48})" (\S+)/.exec(output);
  expect(match, output).not.toBeNull();
  const [, key, url] = match!;
  const response = await fetch(url!, { headers: { 'x-api-key': key! } });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ organisation: 'org_1' });
  const refused = await fetch(url!);
  expect(refused.status).toBe(401);
});
