import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options for {@link createHttpListener}. */
export interface ListenOptions {
  /** TCP port. Default 0: any free port (what tests use). */
  port?: number;
  /** Interface to bind. Default 127.0.0.1; containers set 0.0.0.0. */
  host?: string;
}

export interface HttpListener {
  server: Server;
  /** Starts listening; resolves with the base URL actually bound. */
  listen(options?: ListenOptions): Promise<URL>;
  /** Stops accepting, ends idle keep-alive connections, waits for the rest. */
  close(): Promise<void>;
}

export function createHttpListener(handler: (req: IncomingMessage, res: ServerResponse) => void): HttpListener {
  const server = createServer(handler);
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
