// What a keygate command line is: the commands with their options, the parsed form every command
// receives, and where the CLI reads and writes. Kept apart from cli.ts so that the commands can
// use these types without importing the entry point that runs them.

/** Where the CLI reads and writes; `process` in `bin.ts`, fakes in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Everything on standard input (for `keys verify`). */
  readonly readStdin: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Commands, with the options each takes beyond the global ones and their positionals. */
export const COMMANDS = {
  'keys create': {
    options: [
      'org',
      'name',
      'env',
      'expires-in',
      'expires-at',
      'scope',
      'scopes',
      'rate-limit',
      'credits',
      'refill',
    ],
    args: 0,
  },
  'keys list': { options: ['org'], args: 0 },
  'keys update': {
    options: [
      'org',
      'name',
      'expires-in',
      'expires-at',
      'no-expiry',
      'scope',
      'scopes',
      'enable',
      'disable',
      'rate-limit',
      'credits',
      'refill',
    ],
    args: 1,
  },
  'keys revoke': { options: ['org'], args: 1 },
  'keys delete': { options: ['org'], args: 1 },
  'keys rotate': { options: ['org', 'grace', 'expires-in', 'expires-at', 'no-expiry'], args: 1 },
  'keys verify': { options: [], args: 0 },
  'keys usage': { options: ['org', 'days'], args: 1 },
  audit: { options: ['org', 'key', 'since', 'limit'], args: 0 },
  migrate: { options: [], args: 0 },
  serve: { options: ['port', 'host', 'config'], args: 0 },
  // Any number of paths (-1): none reads standard input.
  scan: { options: ['revoke'], args: -1 },
} as const satisfies Record<string, { options: readonly string[]; args: number }>;

/** A command name such as `keys create`. */
export type CommandName = keyof typeof COMMANDS;

/** The parsed command line. */
export interface ParsedCommand {
  readonly command: CommandName;
  readonly args: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly json: boolean;
}
