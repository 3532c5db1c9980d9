import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '../errors.ts';

/** Options for {@link createHttpListener}. */
export interface ListenOptions {
  /** TCP port. Default 0: any free port (what tests use). */
  port?: number;
  /** Interface to bind. Default 127.0.0.1; containers set 0.0.0.0. */
  host?: string;
}

/** Options for {@link createHttpListener}. */
export interface HttpListenerOptions {
  /**
   * Largest request head (request line and headers), in bytes. Default
   * 256 KiB, the body limit: an oversized bearer token then reaches the
   * hub, which refuses it with TOKEN_TOO_LARGE, instead of Node's bare 431.
   */
  maxHeaderBytes?: number;
}

export interface HttpListener {
  server: Server;
  /** Starts listening; resolves with the base URL actually bound. */
  listen(options?: ListenOptions): Promise<URL>;
  /** Stops accepting, ends idle keep-alive connections, waits for the rest. */
  close(): Promise<void>;
}

/** What a client gets when its request head is larger still: the same JSON shape, with a code, as every other refusal. */
function headersTooLarge(maxHeaderBytes: number): string {
  const body = JSON.stringify({
    errors: [{ message: `The request headers are larger than ${Math.round(maxHeaderBytes / 1024)} KiB.`, extensions: { code: ErrorCode.REQUEST_TOO_LARGE } }],
  });
  return `HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export function createHttpListener(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  { maxHeaderBytes = 256 * 1024 }: HttpListenerOptions = {},
): HttpListener {
  const server = createServer({ maxHeaderSize: maxHeaderBytes }, handler);
  // Node's default answer to a malformed or oversized head is a bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    if (error.code === 'HPE_HEADER_OVERFLOW') socket.end(headersTooLarge(maxHeaderBytes));
    else socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  // Slow-loris protection: a request must arrive in full within 30 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return {
    server,
    listen: ({ port = 0, host = '127.0.0.1' } = {}) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(new URL(`http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${address.port}`));
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        // Connections still busy after the grace period are cut.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  };
}
