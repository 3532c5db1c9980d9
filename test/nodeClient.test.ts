import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgencyUnavailableError, createNodeClient } from '../src/gateway/nodeClient.ts';
import { ensureDevelopmentKeys, type DevelopmentKeys } from '../src/identity/developmentKeys.ts';

// The gateway keeps its connections to the nodes alive. A node closing an idle
// connection just as the gateway picks it for a call must not fail the call.
// But the node may have read the call (and committed it) as the connection
// broke: only what is safe to repeat is sent again, a query or a change with an
// idempotency key. Any other failure must reach the caller, once.

let dir: string;
let keys: DevelopmentKeys;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-node-client-'));
  keys = await ensureDevelopmentKeys(dir, ['XK']);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A node on 127.0.0.1 that answers `{ ok }`, or cuts the connection when `cut` says so. */
async function withNode(
  cut: (request: IncomingMessage, served: boolean) => boolean,
  run: (call: (document?: string, idempotencyKey?: string) => Promise<unknown>, seen: { requests: number; connections: number; keys: (string | undefined)[] }) => Promise<void>,
) {
  const servedSockets = new WeakSet<object>();
  const seen = { requests: 0, connections: 0, keys: [] as (string | undefined)[] };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    seen.requests += 1;
    seen.keys.push(request.headers['idempotency-key'] as string | undefined);
    if (cut(request, servedSockets.has(request.socket))) {
      // As if the connection had been closed as idle the moment the call came: no answer at all.
      request.socket.resetAndDestroy();
      return;
    }
    servedSockets.add(request.socket);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ data: { ok: true } }));
  });
  server.on('connection', () => (seen.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
    const nodes = createNodeClient({ nodes: new Map([['XK', url]]), signer: keys.gateway });
    const caller = { officerToken: 'token-a', purpose: { code: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' }, membership: null };
    await run((document = '{ ok }', idempotencyKey) => nodes.request('XK', document, {}, { ...caller, ...(idempotencyKey ? { idempotencyKey } : {}) }), seen);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('node client connections', () => {
  it('sends a call again, once, on a new connection when a kept-alive one was closed under it', async () => {
    let cuts = 0;
    await withNode(
      (_request, served) => served && cuts++ === 0,
      async (call, seen) => {
        await expect(call()).resolves.toEqual({ ok: true });
        await expect(call()).resolves.toEqual({ ok: true });
        expect(cuts).toBe(1);
        // The first call, the cut one on the same connection, and the same call again on a new one.
        expect(seen).toMatchObject({ requests: 3, connections: 2 });
      },
    );
  });

  it('does not send again a call that failed on a new connection', async () => {
    await withNode(
      () => true,
      async (call, seen) => {
        await expect(call()).rejects.toBeInstanceOf(AgencyUnavailableError);
        expect(seen.requests).toBe(1);
      },
    );
  });

  it('does not send again a change that carries no idempotency key: the node may have made it', async () => {
    let cuts = 0;
    await withNode(
      (_request, served) => served && cuts++ === 0,
      async (call, seen) => {
        await expect(call()).resolves.toEqual({ ok: true });
        await expect(call('mutation { ok }')).rejects.toBeInstanceOf(AgencyUnavailableError);
        expect(seen.requests).toBe(2);
      },
    );
  });

  it('sends again, once, a change with an idempotency key, under the same key', async () => {
    let cuts = 0;
    await withNode(
      (_request, served) => served && cuts++ === 0,
      async (call, seen) => {
        await expect(call()).resolves.toEqual({ ok: true });
        await expect(call('mutation { ok }', 'key-1')).resolves.toEqual({ ok: true });
        expect(seen).toMatchObject({ requests: 3, connections: 2, keys: [undefined, 'key-1', 'key-1'] });
      },
    );
  });
});
