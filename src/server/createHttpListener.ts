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
  /** Time a request has to arrive in full (slow-loris protection), in ms. Default 30,000. */
  requestTimeoutMs?: number;
}

export interface HttpListener {
  server: Server;
  /** Starts listening; resolves with the base URL actually bound. */
  listen(options?: ListenOptions): Promise<URL>;
  /** Stops accepting, ends idle keep-alive connections, waits for the rest. */
  close(): Promise<void>;
}

/** A refusal at the HTTP level, in the JSON shape and with a code like every other. */
function refusal(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
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
  { maxHeaderBytes = 256 * 1024, requestTimeoutMs = 30_000 }: HttpListenerOptions = {},
): HttpListener {
  // Node checks the time limits every connectionsCheckingInterval (30 s by default): a fraction of the limit keeps them honest.
  const server = createServer({ maxHeaderSize: maxHeaderBytes, connectionsCheckingInterval: Math.max(100, Math.min(5_000, requestTimeoutMs / 4)) }, handler);
  // Node's default answer to a malformed or oversized head is a bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    if (error.code === 'HPE_HEADER_OVERFLOW') socket.end(headersTooLarge(maxHeaderBytes));
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.end(refusal(408, 'Request Timeout', ErrorCode.REQUEST_TIMEOUT, 'The request did not arrive in full in time.'));
    else socket.end(refusal(400, 'Bad Request', ErrorCode.BAD_REQUEST, 'The request is not well-formed HTTP.'));
  });
  // Slow-loris protection: a request must arrive in full in time, its head sooner.
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = Math.min(10_000, requestTimeoutMs);
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
