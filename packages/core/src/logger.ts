// The logger keygate reports through (docs/observability.md, "Logger"): the pino-style shape
// (`warn(fields, message)`) that pino, Fastify's `request.log` and most structured loggers have,
// so an application hands keygate the logger it already ships. Nothing keygate logs holds a key:
// a key is named by its id and display prefix only.

/** Structured fields of one log line. Never a key; ids and display prefixes only. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * What keygate needs of a logger: pino's method shape. A pino or Fastify logger fits as it is.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const keygate = createKeygate({ store, logger: pino() });
 * ```
 */
export interface KeygateLogger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

/** The levels of {@link createConsoleLogger}, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const SEVERITY: Readonly<Record<LogLevel, number>> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
  silent: 4,
};

/**
 * A logger on `console` that prints `warn` and `error` only (by default): the quiet default of
 * every keygate option that takes a logger. A line reads `message {"field":"value"}`.
 *
 * @example
 * ```ts
 * const logger = createConsoleLogger({ level: 'debug' });
 * logger.warn({ operation: 'lookup' }, '@keygate/core: lookup failed');
 * ```
 */
export function createConsoleLogger(options: { readonly level?: LogLevel } = {}): KeygateLogger {
  const level = options.level ?? 'warn';
  if (!(level in SEVERITY)) {
    throw new TypeError(`@keygate/core: level must be one of ${Object.keys(SEVERITY).join(', ')}`);
  }
  const threshold = SEVERITY[level];
  const line = (fields: LogFields, message: string): string =>
    Object.keys(fields).length === 0 ? message : `${message} ${safeJson(fields)}`;
  const at =
    (severity: LogLevel, print: (text: string) => void) =>
    (fields: LogFields, message: string): void => {
      if (SEVERITY[severity] >= threshold) print(line(fields, message));
    };
  return Object.freeze({
    debug: at('debug', (text) => console.debug(text)),
    info: at('info', (text) => console.info(text)),
    warn: at('warn', (text) => console.warn(text)),
    error: at('error', (text) => console.error(text)),
  });
}

/** A logger that drops everything. */
export const silentLogger: KeygateLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/**
 * Checks that `value` is a logger (has the four methods); throws a `TypeError` naming
 * `packageName` otherwise. `undefined` stays `undefined` ("not given").
 *
 * @example
 * ```ts
 * const logger = checkLogger(options.logger, '@keygate/redis') ?? createConsoleLogger();
 * ```
 */
export function checkLogger(value: unknown, packageName: string): KeygateLogger | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Partial<KeygateLogger> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.debug !== 'function' ||
    typeof candidate.info !== 'function' ||
    typeof candidate.warn !== 'function' ||
    typeof candidate.error !== 'function'
  ) {
    throw new TypeError(`${packageName}: logger must have debug, info, warn and error methods`);
  }
  return candidate as KeygateLogger;
}

/**
 * The fields keygate logs for a failure: its message, code and name (never its stack's locals or
 * anything else it carries).
 *
 * @example
 * ```ts
 * logger.warn({ operation: 'lookup', ...errorFields(error) }, '@keygate/core: lookup failed');
 * ```
 */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      error: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      errorName: error.name,
    };
  }
  return { error: String(error) };
}

function safeJson(fields: LogFields): string {
  try {
    return JSON.stringify(fields);
  } catch {
    return '{}';
  }
}

/**
 * The logger of an object built without one: the quiet console logger until a host that has a
 * logger of its own adopts it (the Fastify plugin hands over `fastify.log`). A logger given in the
 * options is never replaced.
 */
export class DefaultLogger implements KeygateLogger {
  #target: KeygateLogger = createConsoleLogger();

  /** From now on, lines go to `logger`. */
  adopt(logger: KeygateLogger): void {
    this.#target = logger;
  }

  debug(fields: LogFields, message: string): void {
    this.#target.debug(fields, message);
  }
  info(fields: LogFields, message: string): void {
    this.#target.info(fields, message);
  }
  warn(fields: LogFields, message: string): void {
    this.#target.warn(fields, message);
  }
  error(fields: LogFields, message: string): void {
    this.#target.error(fields, message);
  }
}
