import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * What happens to a node operation's calls on their way through the proxy:
 * `down`: the connection is cut before the node sees the call;
 * `dropAnswer`: the node answers, the answer is lost (the connection is cut instead);
 * `holdAnswer`: the node answers, and the answer waits until `until` resolves
 * (`onHeld` is called once the node has answered).
 */
export type Fault =
  | { kind: 'down' }
  | { kind: 'dropAnswer' }
  | { kind: 'holdAnswer'; until: Promise<void>; onHeld: () => void };

/** A real HTTP proxy in front of an agency node, which cuts or holds the calls of the operations it is told to. */
export interface FaultProxy {
  url: URL;
  /** The fault for the next `times` calls of the node operation named `operation` (its name in the document); null clears it. */
  inject(operation: string, fault: Fault | null, times?: number): void;
  /** How many calls of each operation reached the proxy. */
  calls(operation: string): number;
  close(): Promise<void>;
}

const operationName = (body: string) => {
  try {
    return /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec((JSON.parse(body) as { query?: string }).query ?? '')?.[1] ?? '';
  } catch {
    return '';
  }
};

/** Starts a fault proxy on port 0 in front of `target`. */
export async function startFaultProxy(target: URL): Promise<FaultProxy> {
  const faults = new Map<string, { fault: Fault; left: number }>();
  const counts = new Map<string, number>();
  const forward = async (request: IncomingMessage, body: string) => {
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name, value]) => typeof value === 'string' && !['host', 'connection', 'content-length', 'keep-alive'].includes(name)),
    ) as Record<string, string>;
    const answer = await fetch(new URL(request.url ?? '/', target), { method: request.method, headers, body: request.method === 'POST' ? body : undefined });
    return { status: answer.status, type: answer.headers.get('content-type') ?? 'application/json', body: await answer.text() };
  };
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const operation = operationName(body);
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const planned = faults.get(operation);
    if (planned) {
      planned.left -= 1;
      if (planned.left <= 0) faults.delete(operation);
    }
    const fault = planned?.fault;
    if (fault?.kind === 'down') return void request.socket.destroy();
    const answer = await forward(request, body);
    if (fault?.kind === 'dropAnswer') return void request.socket.destroy();
    if (fault?.kind === 'holdAnswer') {
      fault.onHeld();
      await fault.until;
    }
    response.writeHead(answer.status, { 'content-type': answer.type });
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: new URL(`http://127.0.0.1:${port}${target.pathname}`),
    inject: (operation, fault, times = 1) => (fault ? faults.set(operation, { fault, left: times }) : faults.delete(operation)),
    calls: (operation) => counts.get(operation) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A gate a test opens when it chooses: `opened` resolves once `open()` is called. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
