// Reads the curl commands an example prints and turns each into a fetch request, so a test can
// run them exactly as a user would paste them (quotes, -X, -H, -d, line continuations).

/** A curl command as fetch arguments. */
export interface CurlRequest {
  readonly url: string;
  readonly init: { method: string; headers: Record<string, string>; body?: string };
}

/** Every `curl …` command in `text`, with its continuation lines joined. */
export function findCurlCommands(text: string): string[] {
  const commands: string[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (!lines[index]!.startsWith('curl ')) continue;
    let command = lines[index]!;
    while (command.endsWith('\\') && index + 1 < lines.length) {
      command = `${command.slice(0, -1)} ${lines[++index]!.trim()}`;
    }
    commands.push(command);
  }
  return commands;
}

/** Splits a command line as a POSIX shell would, for the quoting curl commands use. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let index = 0; index < command.length; index++) {
    const char = command[index]!;
    if (char === ' ' || char === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "'" || char === '"') {
      const end = command.indexOf(char, index + 1);
      if (end === -1) throw new Error(`unterminated ${char} in ${command}`);
      word = (word ?? '') + command.slice(index + 1, end);
      index = end;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** A curl command as a fetch request; throws on an option it does not know. */
export function parseCurl(command: string): CurlRequest {
  const [program, ...args] = shellWords(command);
  if (program !== 'curl') throw new Error(`not a curl command: ${command}`);
  const headers: Record<string, string> = {};
  let method: string | undefined;
  let body: string | undefined;
  let url: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '-X') method = args[++index];
    else if (arg === '-H') {
      const header = args[++index]!;
      const colon = header.indexOf(':');
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (arg === '-d') body = args[++index];
    else if (arg.startsWith('-')) throw new Error(`unknown curl option ${arg}`);
    else url = arg;
  }
  if (url === undefined) throw new Error(`no URL in ${command}`);
  // curl -d sends a POST with a form content type unless one is given.
  if (body !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
  return {
    url,
    init: {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    },
  };
}
