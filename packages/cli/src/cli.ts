// The keygate command: reads the arguments, opens the store, runs one command, and turns every
// failure into one line and an exit code (0 done, 1 refused or not found, 2 usage).
import { parseArgs } from 'node:util';
import { createKeyDigester, createKeygate, escapeUnprintable, type Keygate } from '@keygate/core';
import manifest from '../package.json' with { type: 'json' };
import { CommandFailure, cleanMessage, UsageError } from './cli-errors.js';
import { type CliIo, COMMANDS, type CommandName, type ParsedCommand } from './command-line.js';
import { runCommand } from './commands.js';
import { maskCredentials, urlSecrets } from './credentials.js';
import { DEFAULT_STORE_URL, type OpenedKeyStore, openKeyStore } from './open-key-store.js';
import { peppersFromEnvironment } from './peppers.js';
import { runScan } from './scan/scan-command.js';
import { runServe } from './serve/serve-command.js';

export type { CliIo } from './command-line.js';

/** The options every command takes. */
const GLOBAL_OPTIONS = ['store', 'json', 'help', 'table', 'namespace'] as const;

const OPTION_SPEC = {
  store: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  table: { type: 'string' },
  namespace: { type: 'string' },
  org: { type: 'string' },
  name: { type: 'string' },
  env: { type: 'string' },
  'expires-in': { type: 'string' },
  'expires-at': { type: 'string' },
  scope: { type: 'string', multiple: true },
  scopes: { type: 'string' },
  'no-expiry': { type: 'boolean' },
  enable: { type: 'boolean' },
  disable: { type: 'boolean' },
  'rate-limit': { type: 'string' },
  credits: { type: 'string' },
  refill: { type: 'string' },
  grace: { type: 'string' },
  key: { type: 'string' },
  since: { type: 'string' },
  days: { type: 'string' },
  limit: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  config: { type: 'string' },
  revoke: { type: 'boolean' },
} as const;

/** The help text. */
export const USAGE = `Usage: keygate <command> [options]

Commands:
  keys create --org <id> --name <name> [--env live|test]
              [--expires-in <30d|12h|…> | --expires-at <ISO date>] [--scope <scope>]…
              [--rate-limit <100/1m>] [--credits <500> [--refill <500/1d>]]
                              Create a key and print it once
  keys list --org <id>        List an organisation's keys
  keys update <id> [--name <name>] [--expires-in <30d> | --expires-at <date> | --no-expiry]
              [--scopes <a,b>] [--enable | --disable]
              [--rate-limit <100/1m>|none] [--credits <500>|none] [--refill <500/1d>|none]
                              Change a key in one write; a disabled key is refused until enabled
  keys revoke <id>            Revoke a key now (final)
  keys delete <id>            Delete a key
  keys rotate <id> [--grace <duration>] [--expires-in … | --expires-at … | --no-expiry]
                              Issue a successor with the same policy (expiry, scopes, …); the old
                              key works for the grace period (default 0)
  keys verify                 Verify a key read from standard input
  keys usage <id> [--days <30>]
                              A key's verifications per day (accepted, refused)
  audit --org <id> [--key <id>] [--since <7d|ISO date>] [--limit <100>]
                              An organisation's audit log, newest first
  migrate                     Create or update the key table (SQL stores)
  serve [--port <8181>] [--host <127.0.0.1>] [--config <keygate.serve.json>]
                              Forward-auth server for nginx, Caddy, Traefik and Envoy
  scan [--revoke] [<path>…]   Find keys in files and directories (standard input without paths);
                              prints file:line:column and the key's prefix only; exit 1 if found.
                              --revoke also revokes them in the store

Options:
  --store <url>       sqlite:<path> (default ${DEFAULT_STORE_URL}), postgres://…, mysql://…,
                      redis://… (or KEYGATE_STORE)
  --table <name>      SQL key table (or KEYGATE_TABLE; default keygate_api_keys)
  --namespace <name>  Redis namespace (or KEYGATE_NAMESPACE; default keygate)
  --json              Machine-readable output
  -h, --help          Show this help

Environment: KEYGATE_PEPPER (and KEYGATE_PEPPER_ID) digest keys with a pepper.
Exit codes: 0 done, 1 refused or not found (scan: a key was found), 2 usage error.`;

/** What `keygate <command> --help` prints: that command's usage. */
export const COMMAND_USAGE: Readonly<Record<CommandName, string>> = {
  'keys create': `Usage: keygate keys create --org <id> --name <name> [--env live|test]
         [--expires-in <30d|12h|…> | --expires-at <ISO date>] [--scopes <a,b>] [--scope <scope>]…
         [--rate-limit <100/1m>] [--credits <500> [--refill <500/1d>]]

Creates a key and prints it once. Scopes: "sites:read", "sites:*" (every sites: scope), "*".
--rate-limit allows that many requests per sliding window; --credits meters the key (one credit a
request), topped up to the --refill amount every interval.`,
  'keys list': `Usage: keygate keys list --org <id> [--json]

Lists an organisation's keys: id, prefix, name, created, last used, expires, status, quotas
(rate limit, credits and refill).`,
  'keys update': `Usage: keygate keys update <id> [--name <name>]
         [--expires-in <30d|12h|…> | --expires-at <ISO date> | --no-expiry]
         [--scopes <a,b>] [--enable | --disable] [--org <id>]
         [--rate-limit <100/1m>|none] [--credits <500>|none] [--refill <500/1d>|none]

Changes a key in one write. --disable refuses it (disabled_api_key) until --enable; a revoked key
cannot be changed. --org refuses a key of another organisation as not found.
--rate-limit none removes the key's own limit; --credits none stops metering it. --credits alone
sets the balance (and restarts the refill clock) and keeps the refill; --refill alone changes the
refill and keeps the balance.`,
  'keys revoke': `Usage: keygate keys revoke <id> [--org <id>]

Revokes a key now. Revocation is final; revoking twice keeps the first time.`,
  'keys delete': `Usage: keygate keys delete <id> [--org <id>]

Deletes a key; requests with it get invalid_api_key.`,
  'keys rotate': `Usage: keygate keys rotate <id> [--grace <duration>]
         [--expires-in <30d|12h|…> | --expires-at <ISO date> | --no-expiry] [--org <id>]

Issues a successor with the old key's organisation, name, environment, scopes, metadata and
expiry instant (unless an expiry option says otherwise), printed once. The old key works for the
grace period (default 0: revoked at once; at most 30d). Of concurrent rotations one wins.`,
  'keys verify': `Usage: printf %s "$KEY" | keygate keys verify [--json]

Verifies a key read from standard input (never from the command line).`,
  'keys usage': `Usage: keygate keys usage <id> [--days <30>] [--org <id>] [--json]

Prints a key's verifications per UTC day, oldest first: accepted and refused (a refusal counts for
a key once the key is known: revoked, disabled, expired, out of scope, rate limited). Verifiers add
their counts to the store every few seconds. --days is 1 to 366 (default 30).`,
  audit: `Usage: keygate audit --org <id> [--key <id>] [--since <7d|ISO date>] [--limit <100>] [--json]

Prints an organisation's audit log, newest first: when, what (create, update, disable, enable,
revoke, rotate, delete, leak), which key (id and prefix), who and from where. --since takes a
duration back from now (7d, 12h) or an ISO 8601 time; --limit is 1 to 1000 (default 100).
Changes made with this CLI are recorded with the actor cli:$USER.`,
  migrate: `Usage: keygate migrate [--store <url>] [--table <name>]

Creates or updates the key table (SQL stores; Redis needs none).`,
  serve: `Usage: keygate serve [--port <8181>] [--host <127.0.0.1>] [--config <keygate.serve.json>]

A forward-auth server for nginx, Caddy, Traefik and Envoy.`,
  scan: `Usage: keygate scan [--revoke] [<path>…]

Finds keys in files and directories (standard input without paths).`,
};

/** Reads the command line; throws a {@link UsageError} when it is wrong. */
export function parseCommandLine(
  argv: readonly string[],
): ParsedCommand | 'help' | 'version' | 'bare' | { readonly help: CommandName } {
  const { values, positionals, tokens } = parseRawArguments(argv);
  if (values.version === true) return 'version';
  // A bare `keygate` is a mistake (exit 2) that deserves the help; `keygate --help` is not.
  if (positionals.length === 0) return values.help === true ? 'help' : 'bare';
  if (positionals[0] === 'help') return 'help';
  const name = positionals[0] === 'keys' ? `keys ${positionals[1] ?? ''}`.trim() : positionals[0]!;
  if (!(name in COMMANDS)) {
    if (values.help === true) return 'help';
    throw new UsageError(
      name === 'keys'
        ? 'keys needs a command: create, list, update, revoke, delete, rotate, verify or usage'
        : `unknown command ${JSON.stringify(name)} (see keygate --help)`,
    );
  }
  const command = name as CommandName;
  if (values.help === true) return { help: command };
  const spec = COMMANDS[command];
  const allowed = new Set<string>([...GLOBAL_OPTIONS, ...spec.options]);
  for (const token of tokens) {
    if (token.kind === 'option' && !allowed.has(token.name)) {
      throw new UsageError(`${command} does not take --${token.name} (see keygate --help)`);
    }
  }
  const args = positionals.slice(command.split(' ').length);
  if (command === 'keys verify' && args.length > 0) {
    throw new UsageError(
      'keys verify reads the key from standard input, never from the command line (where shell history keeps it): printf %s "$KEY" | keygate keys verify',
    );
  }
  if (spec.args >= 0 && args.length !== spec.args) {
    throw new UsageError(
      spec.args === 0
        ? `${command} takes no arguments, got ${JSON.stringify(args.join(' '))}`
        : `${command} needs a key id: keygate ${command} <id>`,
    );
  }
  return { command, args, values, json: values.json === true };
}

function parseRawArguments(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: OPTION_SPEC,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    // parseArgs' messages are long and mention internals; keep the first sentence.
    const message = (error as Error).message
      .split('. ')[0]!
      .replace(/^Unknown option/, 'unknown option');
    throw new UsageError(`${message} (see keygate --help)`);
  }
}

/**
 * Runs the CLI and returns its exit code. Never throws: every failure is one line on stderr
 * (and, with `--json`, an `{ "error": … }` object on stdout).
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), io);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  // The store URL's password, masked in every message however it is quoted.
  let secrets: readonly string[] = [];
  let opened: OpenedKeyStore | undefined;
  let keygate: Keygate | undefined;
  try {
    const parsed = parseCommandLine(argv);
    if (parsed === 'help') {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (parsed === 'version') {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    if (parsed === 'bare') {
      io.stderr(`${USAGE}\n`);
      return 2;
    }
    if ('help' in parsed) {
      io.stdout(`${COMMAND_USAGE[parsed.help]}\n`);
      return 0;
    }
    const storeUrl =
      stringOption(parsed.values.store) ?? nonEmpty(io.env.KEYGATE_STORE) ?? DEFAULT_STORE_URL;
    secrets = urlSecrets(storeUrl);
    const table = stringOption(parsed.values.table) ?? nonEmpty(io.env.KEYGATE_TABLE);
    const namespace = stringOption(parsed.values.namespace) ?? nonEmpty(io.env.KEYGATE_NAMESPACE);
    const peppers = peppersFromEnvironment(io.env);
    // Pepper mistakes are usage errors: check them before connecting anywhere.
    const keygateOptions = {
      cache: false as const,
      lastUsed: false as const,
      onError: () => {},
      ...(peppers === undefined ? {} : { peppers }),
    };
    try {
      if (peppers !== undefined) createKeyDigester({ peppers });
    } catch (error) {
      throw new UsageError(`KEYGATE_PEPPER: ${cleanMessage(error)}`);
    }
    // A scan needs no store, unless it revokes what it found.
    if (parsed.command === 'scan') {
      return await runScan(parsed, io, { storeUrl, table, namespace, peppers });
    }
    // A long-running server: it opens (and closes) its own store and verifier.
    if (parsed.command === 'serve') {
      return await runServe(parsed, io, { storeUrl, table, namespace, peppers });
    }
    try {
      opened = await openKeyStore(storeUrl, {
        ...(table === undefined ? {} : { table }),
        ...(namespace === undefined ? {} : { namespace }),
        // `keygate migrate` reports what it applied, so it must find the table as it was.
        autoMigrate: parsed.command !== 'migrate',
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      // A bad --table or --namespace is refused by the store's constructor: a usage mistake.
      if (error instanceof TypeError && /^@keygate\/\w+: /.test(error.message)) {
        throw new UsageError(cleanMessage(error));
      }
      throw new CommandFailure(
        'store_unavailable',
        `cannot open the store ${safeUrl(storeUrl)}: ${cleanMessage(error)}`,
      );
    }
    keygate = createKeygate({
      store: opened.store,
      ...keygateOptions,
      ...(opened.audit === undefined ? {} : { audit: opened.audit }),
    });
    return await runCommand(parsed, { io, opened, keygate, actor: cliActor(io.env) });
  } catch (error) {
    const failure = describeFailure(error);
    // One line, whatever it quotes (a key name, a URL): no password, nothing a terminal obeys.
    const message = escapeUnprintable(maskCredentials(failure.message, secrets));
    io.stderr(`keygate: ${message}\n`);
    if (json) io.stdout(`${JSON.stringify({ error: { code: failure.code, message } })}\n`);
    return failure.exitCode;
  } finally {
    await keygate?.close().catch(() => {});
    await opened?.close().catch(() => {});
  }
}

// How the audit log names whoever runs the CLI: `cli:` and the user's login name.
function cliActor(env: CliIo['env']): string {
  const user = env.USER ?? env.USERNAME ?? env.LOGNAME;
  return `cli:${user === undefined || user === '' ? 'unknown' : user}`;
}

/** The CLI's version: the one in its package.json, bundled at build time. */
export const VERSION: string = manifest.version;

function describeFailure(error: unknown): { code: string; message: string; exitCode: number } {
  if (error instanceof UsageError || error instanceof CommandFailure) {
    return { code: error.code, message: error.message, exitCode: error.exitCode };
  }
  const message = cleanMessage(error);
  if (/no such table|does(?:n't| not) exist|undefined_table/i.test(message)) {
    return {
      code: 'not_migrated',
      message: `the key table does not exist: run keygate migrate first (${message})`,
      exitCode: 1,
    };
  }
  return { code: 'failed', message, exitCode: 1 };
}

function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.protocol === 'sqlite:' ? url : parsed.href;
  } catch {
    return url;
  }
}

function stringOption(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
