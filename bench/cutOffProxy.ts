// A TCP relay in front of an agency node that can cut the node off: while cut
// off, every connection through it is reset and every new one refused at
// once, as a node that is down is to whoever calls it; the node itself keeps
// running (its own officers keep recording).

import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CutOffProxy {
  /** The node's endpoint through the relay (same path). */
  url: URL;
  cutOff(): void;
  restore(): void;
  stop(): Promise<void>;
}

/** Starts the relay to `target` on 127.0.0.1, port 0. */
export async function startCutOffProxy(target: URL): Promise<CutOffProxy> {
  let cut = false;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (cut) return void client.resetAndDestroy();
    const upstream = connect(Number(target.port), target.hostname);
    const pair = [client, upstream];
    for (const socket of pair) {
      open.add(socket);
      socket.on('error', () => pair.forEach((each) => each.destroy()));
      socket.on('close', () => {
        open.delete(socket);
        pair.forEach((each) => each.destroy());
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    cutOff() {
      cut = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      cut = false;
    },
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
