import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a {@link startNodeProxy} does with one call, decided from its body. */
export interface ProxyPlan {
  /** Waits this long before passing the call on. */
  holdMs?: number;
  /** Passes the call on, waits for the node's answer, then resets the connection instead of answering. */
  cutAfterAnswer?: boolean;
  /** Waits this long after the node's answer before passing it back. */
  holdAnswerMs?: number;
}

export interface NodeProxy extends AsyncDisposable {
  url: URL;
  /** The bodies of the calls passed on, in order, each with the node's answer once it came. */
  calls: { body: string; headers: IncomingMessage['headers']; answer?: string }[];
}

/**
 * An HTTP proxy in front of a node, on 127.0.0.1 port 0, that can delay a
 * call, delay its answer, or cut the connection once the node has answered
 * (as a network does), so that tests see what the gateway does then.
 */
export async function startNodeProxy(target: URL, plan: (body: string) => ProxyPlan | undefined = () => undefined): Promise<NodeProxy> {
  const calls: NodeProxy["calls"] = [];
  const server = http.createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const { holdMs = 0, cutAfterAnswer = false, holdAnswerMs = 0 } = plan(body) ?? {};
    if (holdMs) await new Promise((resolve) => setTimeout(resolve, holdMs));
    const call: NodeProxy['calls'][number] = { body, headers: request.headers };
    calls.push(call);
    const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const forwarded = http.request(new URL(request.url ?? '/', target), { method: request.method, headers: { ...request.headers, host: target.host } }, (reply) => {
        const parts: Buffer[] = [];
        reply.on('data', (part: Buffer) => parts.push(part));
        reply.on('end', () => resolve({ status: reply.statusCode ?? 502, headers: reply.headers, body: Buffer.concat(parts) }));
        reply.on('error', reject);
      });
      forwarded.on('error', reject);
      forwarded.end(body);
    }).catch(() => null);
    if (answer) call.answer = answer.body.toString('utf8');
    if (!answer || cutAfterAnswer) {
      request.socket.resetAndDestroy();
      return;
    }
    if (holdAnswerMs) await new Promise((resolve) => setTimeout(resolve, holdAnswerMs));
    if (response.destroyed) return;
    const { 'content-length': _length, 'transfer-encoding': _encoding, connection: _connection, ...headers } = answer.headers;
    response.writeHead(answer.status, { ...headers, 'content-length': answer.body.length });
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`),
    calls,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
