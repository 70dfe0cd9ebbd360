// A stand-in upstream for trying the gateway: it answers every request with what it received.
import type { RequestListener } from 'node:http';

/**
 * Echoes method, URL, headers and body as JSON.
 *
 * @example
 * ```ts
 * http.createServer(echoUpstream).listen(4000);
 * ```
 */
export const echoUpstream: RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.stringify({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  });
};
