import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, startTestHub, type TestHub } from './helpers.ts';

// Health endpoints as an orchestrator uses them: liveness says the process
// runs, readiness says whether it can serve now and names what it waits for.

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const get = async (base: URL, path: string) => {
  const response = await fetch(new URL(path, base));
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any, headers: response.headers };
};

/** Closes a database to new connections and ends those open, as if its server went away. */
async function cutOff(database: string, allow: boolean) {
  await adminQuery('postgres', `alter database "${database}" allow_connections ${allow}`);
  if (!allow) await adminQuery('postgres', `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [database]);
}

describe('health endpoints', () => {
  it('answer alive and ready on the gateway and every node, without a token', async () => {
    expect((await get(hub.gatewayUrl, '/healthz')).status).toBe(200);
    const ready = await get(hub.gatewayUrl, '/readyz');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: 'ok', nodes: { XK: 'ok', MK: 'ok' } } } });
    expect(ready.headers.get('cache-control')).toBe('no-store');
    for (const node of hub.nodes.values()) {
      expect((await get(node.url, '/healthz')).status).toBe(200);
      expect(await get(node.url, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: 'ok' } } });
    }
  });

  it("report a node whose database is gone, and recover with it, no restart", async () => {
    const mk = hub.nodes.get('MK')!;
    await cutOff(mk.database.name, false);
    try {
      expect(await get(mk.url, '/readyz')).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { database: 'unavailable' } } });
      // The gateway still serves (XK answers) and names the agency it waits for.
      expect(await get(hub.gatewayUrl, '/readyz')).toMatchObject({ status: 200, body: { checks: { nodes: { XK: 'ok', MK: 'unavailable' } } } });
    } finally {
      await cutOff(mk.database.name, true);
    }
    expect(await get(mk.url, '/readyz')).toMatchObject({ status: 200, body: { checks: { database: 'ok' } } });
  });

  it('say the gateway cannot serve while its own database, which takes every audit entry, is gone', async () => {
    await cutOff(hub.hubDatabase.name, false);
    try {
      expect(await get(hub.gatewayUrl, '/readyz')).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { database: 'unavailable' } } });
      expect((await get(hub.gatewayUrl, '/healthz')).status).toBe(200);
    } finally {
      await cutOff(hub.hubDatabase.name, true);
    }
    expect((await get(hub.gatewayUrl, '/readyz')).status).toBe(200);
  });
});
