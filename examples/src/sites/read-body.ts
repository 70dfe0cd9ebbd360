// Reads a request body as text, up to a limit, without destroying the connection when the limit
// is passed (so the client still gets a 413 answer).
import type { Readable } from 'node:stream';

/** The body text, or `null` when it is longer than `limitBytes`. */
export function readBodyText(stream: Readable, limitBytes: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanUp = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      length += bytes.length;
      if (length > limitBytes) {
        cleanUp();
        stream.pause();
        resolve(null);
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      cleanUp();
      resolve(Buffer.concat(chunks, length).toString('utf8'));
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
