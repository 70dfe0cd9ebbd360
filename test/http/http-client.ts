// Small HTTP clients for the tests: fetch with the answer read whole, and a raw socket that sends
// exactly the bytes given (repeated headers, odd casing, control bytes).
import { connect } from 'node:net';

/** An answer, read whole. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
  readonly json: any;
}

/** Sends a request with fetch and reads the whole answer. */
export async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers, text, json };
}

/** The headers that keygate decides, for comparing answers across frameworks. */
export function relevantHeaders(answer: Answer): Record<string, string | undefined> {
  return {
    'content-type': answer.headers['content-type'],
    'cache-control': answer.headers['cache-control'],
    'www-authenticate': answer.headers['www-authenticate'],
    'retry-after': answer.headers['retry-after'],
    ratelimit: answer.headers.ratelimit,
    'ratelimit-policy': answer.headers['ratelimit-policy'],
    'credits-remaining': answer.headers['credits-remaining'],
    'content-length': answer.headers['content-length'],
  };
}

/** A raw answer: the status line's code and the whole response text. */
export interface RawAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * Writes `head` (request line and headers, CRLF-separated, without the blank line) to a socket
 * and reads until the server closes it (the request asks for `Connection: close`).
 */
export function sendRaw(url: string, head: string | Buffer, timeoutMs = 5_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
    });
    const end = Buffer.from('\r\nConnection: close\r\n\r\n', 'latin1');
    socket.end(Buffer.concat([typeof head === 'string' ? Buffer.from(head, 'latin1') : head, end]));
  });
}
