import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, graphql, startTestHub, type TestHub } from './helpers.ts';

// One operation, one join key: every entry an operation causes, at every party,
// records the operation id the gateway gave it (not the client's trace, which two
// operations may share); and every entry that names a record names its type,
// tier and basis, the nodes' as the gateway's.

let hub: TestHub;
let alert: { id: string; localId: string };

type Row = { seq: string; kind: string; operation: string | null; operation_id: string | null; records: { agency: string; id: string; type?: string; tier?: string; basis?: string }[] };
const entriesOf = (database: string, where = 'true', params: unknown[] = []) =>
  adminQuery<Row>(database, `select seq, kind, operation, operation_id, records from audit.entry where ${where} order by seq`, params);

beforeAll(async () => {
  hub = await startTestHub({ nodeTimeoutMs: 20_000, gateway: { followFeeds: false } });
  const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  expect(created.errors).toBeUndefined();
  alert = { id: created.data!.createAlert.id, localId: created.data!.createAlert.localId };
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('one operation, one join key', () => {
  it('gives two operations sent under one traceparent two operation ids, each recorded by every entry it caused', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const feed = `query Feed { alerts(first: 5) { edges { node { id } } } }`;
    const token = await hub.token('mk-border-officer');
    for (let i = 0; i < 2; i += 1) expect((await graphql(hub.gatewayUrl, feed, {}, { token, headers: { traceparent } })).errors).toBeUndefined();
    const consultations = await entriesOf(hub.hubDatabase.name, `operation = 'query Feed'`);
    expect(consultations).toHaveLength(2);
    const ids = consultations.map((entry) => entry.operation_id);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-zA-Z_-]{8,64}$/);
    // Joined on it, each consultation finds its own disclosures at each node, and only those.
    for (const id of ids) {
      for (const node of ['XK', 'MK']) {
        const caused = await entriesOf(hub.nodes.get(node)!.database.name, 'operation_id = $1', [id]);
        expect(caused.map((entry) => entry.kind), `${node} ${id}`).toEqual(['DISCLOSURE']);
      }
    }
    const xkReleased = (await entriesOf(hub.nodes.get('XK')!.database.name, 'operation_id = $1', [ids[0]]))[0]!.records;
    expect(xkReleased.map((record) => record.id)).toContain(alert.localId);
  });

  it('names the type, tier and basis of every record in the node’s entries: a change of its own, and the alerts of consent requests', async () => {
    const [change] = await entriesOf(hub.nodes.get('XK')!.database.name, `kind = 'CHANGE' and records @> $1::jsonb`, [JSON.stringify([{ id: alert.localId }])]);
    expect(change!.records).toEqual([expect.objectContaining({ agency: 'XK', id: alert.localId, type: 'ALERT', tier: 'FULL', basis: 'DOMESTIC' })]);

    const asked = await hub.query('mk-border-officer', `mutation Ask($id: ID!) { requestConsent(input: { alertId: $id, tier: FULL, justification: "For the joint case." }) { id } }`, { id: alert.id });
    expect(asked.errors).toBeUndefined();
    const inbox = await hub.query('xk-duty-officer', `query Inbox { consentRequests(filter: { direction: INCOMING }) { edges { node { id alertId } } } }`);
    expect(inbox.errors).toBeUndefined();
    const [listed] = (await entriesOf(hub.nodes.get('XK')!.database.name, `kind = 'DISCLOSURE' and operation like '%ConsentRequests%'`)).slice(-1);
    expect(listed!.records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ agency: 'XK', id: alert.localId, type: 'ALERT', tier: expect.any(String), basis: expect.any(String) }),
      ]),
    );
    for (const party of [hub.hubDatabase.name, hub.nodes.get('XK')!.database.name, hub.nodes.get('MK')!.database.name]) {
      for (const entry of await entriesOf(party)) {
        for (const record of entry.records) expect(record, `${party} entry ${entry.seq} (${entry.kind} ${entry.operation})`).toMatchObject({ type: expect.any(String), tier: expect.any(String), basis: expect.any(String) });
      }
    }
  });
});
