// `keygate scan` on a fixture tree made here: keys in several file types, near misses (bad
// checksum, wrong length, glued to other characters), binary files, skipped directories; exactly
// the real keys are found, printed without the key. Then --revoke, and a git pre-commit hook.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@keygate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cliIsBuilt, keygate, parsed } from './cli-support.js';

const root = mkdtempSync(join(tmpdir(), 'keygate-scan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function corrupt(key: string): string {
  const index = 30;
  return key.slice(0, index) + (key[index] === 'x' ? 'y' : 'x') + key.slice(index + 1);
}

function write(path: string, content: string | Buffer): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

interface FindingJson {
  file: string;
  line: number;
  column: number;
  prefix: string;
  environment: string;
  revoke?: string;
}

describe('keygate scan', () => {
  const tree = join(root, 'tree');
  const live = generateApiKey({ environment: 'live' }).key;
  const test = generateApiKey({ environment: 'test' }).key;
  const third = generateApiKey({ environment: 'live' }).key;
  // Where each real key sits: file, line, column.
  const expected = [
    { file: join(tree, '.env'), line: 2, column: 9, key: live },
    { file: join(tree, 'config', 'settings.json'), line: 3, column: 11, key: test },
    { file: join(tree, 'src', 'client.ts'), line: 2, column: 25, key: third },
    { file: join(tree, 'src', 'client.ts'), line: 4, column: 1, key: live },
    { file: join(tree, 'docs', 'notes.md'), line: 1, column: 6, key: test },
    { file: join(tree, 'big.log'), line: 20_001, column: 1, key: third },
  ];

  beforeAll(() => {
    write(join(tree, '.env'), `# secrets\nAPI_KEY=${live}\nOTHER=${corrupt(live)}\n`);
    write(
      join(tree, 'config', 'settings.json'),
      `{\n  "near": "${test.slice(0, -1)}",\n  "key": "${test}",\n  "long": "${test}x"\n}\n`,
    );
    write(
      join(tree, 'src', 'client.ts'),
      `// client\nconst key = process.env.${third} ?? '';\nconst bad = 'x${live}';\n${live}\n`,
    );
    write(join(tree, 'docs', 'notes.md'), `Use \`${test}\` for tests, not ${corrupt(test)}.\n`);
    // Past the first read chunk (1 MiB): line counting and chunk boundaries hold.
    write(
      join(tree, 'big.log'),
      `${'lorem ipsum dolor sit amet sk_ task_live '.repeat(2)}\n`.repeat(20_000) + `${third}\n`,
    );
    // Binary files are skipped even when a key is inside; so are .git and node_modules.
    write(
      join(tree, 'image.png'),
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), Buffer.from(live)]),
    );
    write(join(tree, '.git', 'config'), `token = ${live}\n`);
    write(join(tree, 'node_modules', 'pkg', 'index.js'), `module.exports = '${live}';\n`);
  });

  it('finds exactly the real keys, with file:line:column and the prefix, never the key', async () => {
    const run = await keygate(['scan', tree]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n').sort();
    const wanted = expected
      .map(
        (found) =>
          `${found.file}:${found.line}:${found.column}: ${found.key.slice(0, 14)}… (${found.key.slice(3, 7)} key)`,
      )
      .sort();
    expect(lines).toEqual(wanted);
    for (const key of [live, test, third]) {
      expect(run.stdout + run.stderr).not.toContain(key);
    }
    expect(run.stderr).toContain('6 keys found in 5 files, 1 binary skipped');
  });

  it('prints JSON with --json', async () => {
    const run = await keygate(['scan', '--json', tree]);
    expect(run.code).toBe(1);
    const answer = parsed<{
      findings: FindingJson[];
      filesScanned: number;
      binaryFilesSkipped: number;
    }>(run);
    expect(answer.filesScanned).toBe(5);
    expect(answer.binaryFilesSkipped).toBe(1);
    const sortKey = (finding: { file: string; line: number }) => `${finding.file}:${finding.line}`;
    expect([...answer.findings].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
      [...expected]
        .sort((a, b) => sortKey(a).localeCompare(sortKey(b)))
        .map(({ file, line, column, key }) => ({
          file,
          line,
          column,
          prefix: key.slice(0, 14),
          environment: key.slice(3, 7),
        })),
    );
    expect(run.stdout).not.toContain(live);
  });

  it('exits 0 on a clean tree, reads standard input without paths, and exits 2 on usage errors', async () => {
    const clean = join(root, 'clean');
    write(join(clean, 'a.txt'), `nothing here but ${corrupt(live)}\n`);
    expect((await keygate(['scan', clean])).code).toBe(0);
    const piped = await keygate(['scan'], { input: `line one\nkey ${test}\n` });
    expect(piped.code).toBe(1);
    expect(piped.stdout).toBe(`-:2:5: ${test.slice(0, 14)}… (test key)\n`);
    expect((await keygate(['scan'], { input: 'clean\n' })).code).toBe(0);
    const missing = await keygate(['scan', join(root, 'no-such-file')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
    expect((await keygate(['scan', '--frobnicate', clean])).code).toBe(2);
  });

  it('revokes the keys it found with --revoke, recording the leak', async () => {
    const store = `sqlite:${join(root, 'keys.db')}`;
    const created = parsed<{ key: string; record: { id: string } }>(
      await keygate([
        'keys',
        'create',
        '--org',
        'org_scan',
        '--name',
        'Leaky',
        '--json',
        '--store',
        store,
      ]),
    );
    const file = join(root, 'leaky', 'app.env');
    write(file, `KEY=${created.key}\nAGAIN=${created.key}\nFOREIGN=${live}\n`);
    const run = await keygate(['scan', '--revoke', '--json', '--store', store, file]);
    expect(run.code).toBe(1);
    const { findings } = parsed<{ findings: FindingJson[] }>(run);
    expect(findings.map((finding) => finding.revoke)).toEqual([
      'revoked',
      'revoked',
      'not_in_store',
    ]);
    const listed = parsed<{ keys: { id: string; status: string; leakedAt: string | null }[] }>(
      await keygate(['keys', 'list', '--org', 'org_scan', '--json', '--store', store]),
    );
    expect(listed.keys).toEqual([
      expect.objectContaining({
        id: created.record.id,
        status: 'revoked',
        leakedAt: expect.any(String),
      }),
    ]);
    const again = await keygate(['scan', '--revoke', '--store', store, file]);
    expect(again.stdout).toContain('(already revoked)');
    expect(again.stdout).not.toContain(created.key);
  });
});

describe('keygate scan as a git pre-commit hook', () => {
  beforeAll(() => {
    // `pnpm test` builds first; a bare `vitest run` builds the CLI (and what it needs) here.
    if (!cliIsBuilt()) {
      execFileSync(
        'npx',
        ['turbo', 'run', 'build', '--filter=@keygate/cli...', '--output-logs=errors-only'],
        { cwd: join(CLI_BIN, '..', '..', '..', '..'), stdio: 'inherit', timeout: 120_000 },
      );
    }
  }, 150_000);

  it('blocks a commit that adds a key, and lets a clean one through', () => {
    const repository = join(root, 'repository');
    mkdirSync(repository);
    const git = (...args: string[]) =>
      spawnSync('git', args, {
        cwd: repository,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: root,
          GIT_AUTHOR_NAME: 'Test',
          GIT_AUTHOR_EMAIL: 'test@example.com',
          GIT_COMMITTER_NAME: 'Test',
          GIT_COMMITTER_EMAIL: 'test@example.com',
        },
      });
    expect(git('init', '-q').status).toBe(0);
    // The hook from the CLI's README, with the built executable in place of `keygate`.
    const hook = join(repository, '.git', 'hooks', 'pre-commit');
    writeFileSync(
      hook,
      `#!/bin/sh\n# Refuses a commit whose staged files hold a keygate key.\ngit diff --cached --name-only -z --diff-filter=ACMR | xargs -0 ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} scan --\n`,
    );
    chmodSync(hook, 0o755);

    writeFileSync(join(repository, 'README.md'), 'A project without keys.\n');
    expect(git('add', 'README.md').status).toBe(0);
    const clean = git('commit', '-q', '-m', 'clean');
    expect(clean.status, clean.stderr).toBe(0);

    const key = generateApiKey({ environment: 'live' }).key;
    writeFileSync(join(repository, 'config.env'), `API_KEY=${key}\n`);
    expect(git('add', 'config.env').status).toBe(0);
    const blocked = git('commit', '-q', '-m', 'adds a key');
    expect(blocked.status).not.toBe(0);
    // git shows a hook's output on its standard error.
    expect(blocked.stderr).toContain(`config.env:1:9: ${key.slice(0, 14)}…`);
    expect(blocked.stdout + blocked.stderr).not.toContain(key);
    expect(git('log', '--oneline').stdout.trim().split('\n')).toHaveLength(1);
  });
});
