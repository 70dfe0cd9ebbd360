import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, VERSION } from './cli.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('keygate --version', () => {
  it("prints the version of the CLI's package.json", async () => {
    let stdout = '';
    const exitCode = await runCli(['--version'], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
      readStdin: async () => '',
      env: {},
    });
    expect(exitCode).toBe(0);
    expect(stdout).toBe(`${manifest.version}\n`);
    expect(VERSION).toBe(manifest.version);
  });
});
