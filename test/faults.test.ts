import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { createGateway } from '../src/gateway/createGateway.ts';
import { createHttpListener } from '../src/server/createHttpListener.ts';
import { adminQuery, codes, graphql, openSocket, startTestHub, verifyChainOf, type TestHub } from './helpers.ts';

// Faults on real PostgreSQL while traffic runs: a node's database goes away
// and comes back, the hub database goes away, a node stops answering in the
// middle of a request. Nothing is restarted by hand.

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ nodeTimeoutMs: 1_500 });
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

/** Closes a database to new connections and ends the open ones, as if its server went away; or lets it back. */
async function cutOff(database: string, gone: boolean) {
  await adminQuery('postgres', `alter database "${database}" allow_connections ${!gone}`);
  if (gone) await adminQuery('postgres', `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [database]);
}


const list = `{ alerts(first: 100) { totalCount unavailableAgencies edges { node { reference owner { code } } } } }`;

describe('faults', () => {
  it("survive a node's database going away during traffic: the other agency answers, the node recovers by itself, no acknowledged write is lost, no audit gap", async () => {
    const mk = hub.nodes.get('MK')!;
    const acknowledged: string[] = [];
    const refused: unknown[] = [];
    let partial = 0;
    const traffic = async (rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        const [created, listed] = await Promise.all([
          hub.query('mk-border-officer', createAlertMutation, { input: alertInput({ title: `under fault ${i}` }) }),
          hub.query('xk-border-officer', list),
        ]);
        if (created.data?.createAlert) acknowledged.push(created.data.createAlert.reference);
        else refused.push(codes(created));
        expect(listed.status, JSON.stringify(listed).slice(0, 600)).toBe(200);
        if (listed.data!.alerts.unavailableAgencies.includes('MK')) {
          partial++;
          expect(codes(listed)).toEqual(['AGENCY_UNAVAILABLE']);
        }
      }
    };
    await traffic(3);
    await cutOff(mk.database.name, true);
    await traffic(3);
    await cutOff(mk.database.name, false);
    await traffic(3);

    // While MK's database was gone, MK's writes were refused with a code and XK kept answering.
    expect(partial).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const codeList of refused) expect((codeList as string[]).every((code) => typeof code === 'string')).toBe(true);
    // The node recovered without a restart, and every write it acknowledged is there.
    const after = await hub.query('mk-border-officer', list);
    expect(after.data!.alerts.unavailableAgencies).toEqual([]);
    const stored = new Set(after.data!.alerts.edges.map((edge: any) => edge.node.reference));
    for (const reference of acknowledged) expect(stored.has(reference), reference).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(6);
    // No gap and no fork in either log.
    for (const url of [mk.database.url, hub.hubDatabase.url]) expect(await verifyChainOf(url)).toMatchObject({ ok: true });
  });

  it('fail closed while the hub database is gone: a clear error and no data, then serve again', async () => {
    await cutOff(hub.hubDatabase.name, true);
    try {
      const result = await hub.query('xk-border-officer', list);
      expect(result.status).toBe(503);
      expect(codes(result)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(result.data ?? null).toBeNull();
    } finally {
      await cutOff(hub.hubDatabase.name, false);
    }
    const again = await hub.query('xk-border-officer', list);
    expect(again.errors).toBeUndefined();
    expect(await verifyChainOf(hub.hubDatabase.url)).toMatchObject({ ok: true });
  });

  it('answer partially, naming the agency, when a node stops answering in the middle of a request', async () => {
    // A lock held on MK's alerts makes MK's node hang inside its query, past the gateway's timeout.
    const blocker = new pg.Client({ connectionString: hub.nodes.get('MK')!.database.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table node.alert in access exclusive mode');
      const result = await hub.query('xk-border-officer', list);
      expect(result.status).toBe(200);
      expect(result.data!.alerts.unavailableAgencies).toEqual(['MK']);
      expect(result.data!.alerts.edges.every((edge: any) => edge.node.owner.code === 'XK')).toBe(true);
      expect(result.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'AGENCY_UNAVAILABLE', agency: 'MK' }) })]);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    const recovered = await hub.query('xk-border-officer', list);
    expect(recovered.data!.alerts.unavailableAgencies).toEqual([]);
  });

  it('stop gracefully: the request in flight finishes with its audit entry, an open socket is told the server is going away, and nothing new is accepted', async () => {
    await using gateway = createGateway({
      trustList: hub.trustList,
      databaseUrl: hub.hubDatabase.applicationUrl,
      nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])),
      signer: hub.keys.gateway,
      auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!,
      nodeTimeoutMs: 1_500,
      graphiql: false,
    });
    const url = await gateway.start();
    const token = await hub.token('xk-border-officer');
    const socket = openSocket(url, { authorization: `Bearer ${token}`, purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
    expect((await socket.run('{ viewer { sub } }')).errors).toBeUndefined();
    // A request that takes a while: MK's node waits on a lock until the gateway's timeout.
    const blocker = new pg.Client({ connectionString: hub.nodes.get('MK')!.database.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table node.alert in access exclusive mode');
    try {
      const inFlight = graphql(url, `query Slow ${list}`, {}, { token });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stopped = gateway.stop();
      const result = await inFlight;
      expect(result.status).toBe(200);
      expect(result.data!.alerts.unavailableAgencies).toEqual(['MK']);
      await stopped;
      expect(await socket.closed).toBe(1001);
      const [entry] = await adminQuery(hub.hubDatabase.name, `select outcome from audit.entry where operation = 'query Slow' order by seq desc limit 1`);
      expect(entry).toEqual({ outcome: 'PARTIAL' });
      await expect(fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).rejects.toThrow();
    } finally {
      await blocker.query('rollback');
      await blocker.end();
      await socket[Symbol.asyncDispose]();
    }
  });

  it('answer a request that never arrives in full with a coded 408', async () => {
    const { connect } = await import('node:net');
    // The listener every hub process serves through, with its time limits shortened for the test.
    const listener = createHttpListener((_request, response) => response.end(), { requestTimeoutMs: 500 });
    const base = await listener.listen();
    const answer = await new Promise<string>((resolve, reject) => {
      const client = connect(Number(base.port), '127.0.0.1', () => client.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n'));
      let data = '';
      client.on('data', (chunk) => (data += chunk));
      client.on('close', () => resolve(data));
      client.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
    await listener.close();
  });
});
