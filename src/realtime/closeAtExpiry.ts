import { CloseCode } from 'graphql-ws';
import { decodeJwt } from 'jose';
import type { WebSocket } from 'ws';

/**
 * Closes an authenticated socket when its officer token expires (the token
 * was verified at connection_init; a socket must not outlive it), with the
 * protocol's Forbidden code, as a socket refused for a bad token.
 */
export function closeAtExpiry(socket: WebSocket, token: string): void {
  const exp = decodeJwt(token).exp;
  if (exp === undefined) return;
  // setTimeout holds at most 2^31 - 1 ms (24.8 days): longer tokens are closed then, and reconnect.
  const delay = Math.min(Math.max(exp * 1000 - Date.now(), 0), 2 ** 31 - 1);
  const timer = setTimeout(() => socket.close(CloseCode.Forbidden, 'Token expired'), delay);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
