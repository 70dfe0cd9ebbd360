// The two ways a command ends badly, each with its exit code: the user typed something wrong (2),
// or what they asked about was refused or not there (1).

/** A mistake in how the command was typed: exit code 2. */
export class UsageError extends Error {
  readonly code = 'usage';
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A key that is not there, not in the state asked for, or refused: exit code 1. */
export class CommandFailure extends Error {
  readonly exitCode = 1;
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CommandFailure';
    this.code = code;
  }
}

/** One line from any error: its message, or its code, without the stack. */
export function cleanMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return cleanMessage(error.errors[0]);
  }
  if (error instanceof Error) {
    const text = error.message || String((error as { code?: unknown }).code ?? error.name);
    const line = text.split('\n')[0]!.replace(/^@keygate\/\w+: /, '');
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message !== ''
      ? `${line}: ${cleanMessage(cause)}`
      : line;
  }
  return String(error).split('\n')[0]!;
}
