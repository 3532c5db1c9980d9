import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFields, alertInput, createAlertMutation } from './fixtures.ts';
import { codes, graphqlOverWebSocket, startTestHub, type TestHub } from './helpers.ts';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
  // Three alerts per agency, reported by each agency's own officers.
  for (const [user, plate] of [
    ['xk-border-officer', '01-111-AA'],
    ['mk-border-officer', 'SK 1111 AA'],
  ] as const) {
    for (let index = 0; index < 3; index++) {
      const result = await hub.query(user, createAlertMutation, {
        input: alertInput({
          title: `Seizure ${index} reported by ${user}`,
          vehicles: [{ role: 'TRANSPORT', plate, plateCountry: user.startsWith('xk') ? 'XK' : 'MK' }],
        }),
      });
      expect(result.errors).toBeUndefined();
    }
  }
});

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const alertsQuery = /* GraphQL */ `
  query Alerts($first: Int, $after: String, $agencies: [String!]) {
    alerts(first: $first, after: $after, agencies: $agencies) {
      totalCount unavailableAgencies
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ${alertFields} } }
    }
  }
`;

describe('the hub end to end', () => {
  it('serves alerts of both agencies through the gateway, each stamped with its owner', async () => {
    const result = await hub.query('xk-border-officer', alertsQuery, { first: 20 });
    expect(result.errors).toBeUndefined();
    const alerts = result.data!.alerts;
    expect(alerts.totalCount).toBe(6);
    expect(alerts.unavailableAgencies).toEqual([]);
    const owners = alerts.edges.map((edge: any) => edge.node.owner.code);
    expect(owners.filter((owner: string) => owner === 'XK')).toHaveLength(3);
    expect(owners.filter((owner: string) => owner === 'MK')).toHaveLength(3);
    for (const edge of alerts.edges) {
      expect(edge.node.reference).toMatch(new RegExp(`^${edge.node.owner.code}-ALR-2026-\\d{6}$`));
      if (edge.node.owner.code === 'XK') expect(edge.node.summary.firearms[0].serialNormalized).toBe('M70481516');
    }
  });

  it('releases partner alerts at the default tier of the agreement (HIT) and own alerts in full', async () => {
    const result = await hub.query('xk-border-officer', alertsQuery, { first: 20 });
    for (const { node } of result.data!.alerts.edges) {
      if (node.owner.code === 'XK') {
        expect(node.personalData.subjects[0].familyName).toBe('Krasniqi');
      } else {
        expect(node.summary).toBeNull();
        expect(node.personalData).toBeNull();
        expect(node.contactPoint.unitCode).toBe('MK-BP-BLACE');
      }
    }
  });

  it('pages through the merged list without repeating or skipping an alert, with the same total on every page', async () => {
    let sum = 0;
    for (const agency of ['XK', 'MK']) {
      sum += (await hub.query('mk-border-officer', alertsQuery, { first: 1, agencies: [agency] })).data!.alerts.totalCount;
    }
    const seen: string[] = [];
    const totals: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      // MK's three alerts are the newest: its feed runs out on the first page, XK's on the second.
      const result: any = await hub.query('mk-border-officer', alertsQuery, { first: 4, after });
      expect(result.errors).toBeUndefined();
      seen.push(...result.data.alerts.edges.map((edge: any) => edge.node.id));
      totals.push(result.data.alerts.totalCount);
      if (!result.data.alerts.pageInfo.hasNextPage) break;
      after = result.data.alerts.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect(sum).toBe(6);
    expect(totals).toEqual([sum, sum]);
  });

  it('asks only the owner node for alert(id), and answers with the same record', async () => {
    const list = await hub.query('xk-border-officer', alertsQuery, { first: 20, agencies: ['MK'] });
    const target = list.data!.alerts.edges[0].node;
    expect(target.owner.code).toBe('MK');
    const one = await hub.query('xk-border-officer', `query($id: ID!) { alert(id: $id) { id reference owner { code } } }`, {
      id: target.id,
    });
    expect(one.data!.alert).toEqual({ id: target.id, reference: target.reference, owner: { code: 'MK' } });
    // The same id through the Relay node interface.
    const viaNode = await hub.query('xk-border-officer', `query($id: ID!) { node(id: $id) { ... on Alert { reference } } }`, {
      id: target.id,
    });
    expect(viaNode.data!.node).toEqual({ reference: target.reference });
  });

  it('refuses ids that do not name an alert with a clear code', async () => {
    const result = await hub.query('xk-border-officer', `{ alert(id: "not-a-global-id") { id } }`);
    expect(codes(result)).toEqual(['VALIDATION_FAILED']);
  });

  it('creates an alert in the caller agency only, atomically, with a human reference', async () => {
    const result = await hub.query('mk-border-officer', createAlertMutation, { input: alertInput({ title: 'MK seizure at Blace' }) });
    expect(result.errors).toBeUndefined();
    expect(result.data!.createAlert.owner.code).toBe('MK');
    const rows = await hub.nodes.get('MK')!.prisma.alert.findMany({ where: { title: 'MK seizure at Blace' } });
    expect(rows).toHaveLength(1);
    const elsewhere = await hub.nodes.get('XK')!.prisma.alert.count({ where: { title: 'MK seizure at Blace' } });
    expect(elsewhere).toBe(0);
  });

  it('updates with optimistic concurrency: a stale version is refused and changes nothing', async () => {
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'To be updated' }) });
    const { id, version } = created.data!.createAlert;
    const update = `mutation($id: ID!, $v: Int!, $input: UpdateAlertInput!) { updateAlert(id: $id, expectedVersion: $v, input: $input) { version status summary { title } } }`;
    const first = await hub.query('xk-border-officer', update, { id, v: version, input: { status: 'UNDER_INVESTIGATION' } });
    expect(first.data!.updateAlert).toEqual({ version: version + 1, status: 'UNDER_INVESTIGATION', summary: { title: 'To be updated' } });
    const stale = await hub.query('xk-border-officer', update, { id, v: version, input: { status: 'RESOLVED' } });
    expect(codes(stale)).toEqual(['VERSION_CONFLICT']);
    const partner = await hub.query('mk-border-officer', update, { id, v: version + 1, input: { status: 'RESOLVED' } });
    expect(codes(partner)).toEqual(['FORBIDDEN']);
    const row = await hub.nodes.get('XK')!.prisma.alert.findFirstOrThrow({ where: { title: 'To be updated' } });
    expect(row.status).toBe('UNDER_INVESTIGATION');
  });

  it('keeps auditors away from operational data', async () => {
    const result = await hub.query('xk-auditor', alertsQuery, { first: 5 });
    expect(codes(result)).toEqual(['FORBIDDEN']);
  });

  it('lists the agencies of the exchange with the units their nodes report', async () => {
    const result = await hub.query('xk-liaison', `{ viewer { agency roles } agencies { code name units { code } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.viewer).toEqual({ agency: 'XK', roles: ['liaison'] });
    expect(result.data!.agencies.map((agency: any) => agency.code)).toEqual(['MK', 'XK']);
  });

  it('answers the same operations over graphql-ws, with the identity verified by the same context factory', async () => {
    const result = await graphqlOverWebSocket(hub.gatewayUrl, `{ viewer { sub agency } alerts(first: 50) { totalCount } }`, {}, {
      token: await hub.token('mk-liaison'),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.viewer).toEqual({ sub: 'mk.liaison.nikola.trajkovski', agency: 'MK' });
    expect(result.data!.alerts.totalCount).toBeGreaterThanOrEqual(6);
  });

  it('closes a WebSocket whose connection_init carries a bad token', async () => {
    const ws = new URL(hub.gatewayUrl);
    ws.protocol = 'ws:';
    const closed = new Promise<number>((resolve) => {
      const client = createClient({
        url: ws.href,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: 'Bearer not.a.token' },
        retryAttempts: 0,
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      client.subscribe({ query: '{ viewer { sub } }' }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    expect(await closed).toBe(4403);
  });
});
