import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../src/gateway/globalId.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { codes, startTestHub, type TestHub } from './helpers.ts';

let hub: TestHub;
let mkAlertId: string;

beforeAll(async () => {
  hub = await startTestHub({ nodeTimeoutMs: 1_500 });
  for (const user of ['xk-border-officer', 'xk-border-officer', 'mk-border-officer'] as const) {
    const result = await hub.query(user, createAlertMutation, { input: alertInput() });
    if (user === 'mk-border-officer') mkAlertId = result.data!.createAlert.id;
  }
  await hub.stopNode('MK');
});

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('an agency node that is down', () => {
  it('makes the merged list partial, not failed, and names the missing agency', async () => {
    const result = await hub.query(
      'xk-border-officer',
      `{ alerts(first: 10) { totalCount unavailableAgencies edges { node { owner { code } } } pageInfo { hasNextPage } } }`,
    );
    expect(result.status).toBe(200);
    expect(result.data!.alerts.edges.map((edge: any) => edge.node.owner.code)).toEqual(['XK', 'XK']);
    expect(result.data!.alerts.unavailableAgencies).toEqual(['MK']);
    // More may come from MK once it answers again.
    expect(result.data!.alerts.pageInfo.hasNextPage).toBe(true);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      path: ['alerts'],
      extensions: { code: 'AGENCY_UNAVAILABLE', agency: 'MK' },
    });
    expect(result.errors![0]!.message).toMatch(/Agency MK is unavailable/);
  });

  it('fails only the field that needs it: alert(id) of MK, with the agency named', async () => {
    const result = await hub.query('xk-border-officer', `query($id: ID!) { viewer { agency } alert(id: $id) { id } }`, { id: mkAlertId });
    expect(result.data!.viewer).toEqual({ agency: 'XK' });
    expect(result.data!.alert).toBeNull();
    expect(codes(result)).toEqual(['AGENCY_UNAVAILABLE']);
    expect(result.errors![0]!.extensions!.agency).toBe('MK');
  });

  it('still serves the other agency record by id', async () => {
    const list = await hub.query('xk-border-officer', `{ alerts(first: 1, agencies: ["XK"]) { edges { node { id } } } }`);
    const id = list.data!.alerts.edges[0].node.id;
    const one = await hub.query('xk-border-officer', `query($id: ID!) { alert(id: $id) { owner { code } } }`, { id });
    expect(one.errors).toBeUndefined();
    expect(one.data!.alert).toEqual({ owner: { code: 'XK' } });
  });

  it('leaves units of the missing agency null with an error on that path', async () => {
    const result = await hub.query('xk-liaison', `{ agencies { code units { code } } }`);
    const byCode = Object.fromEntries(result.data!.agencies.map((agency: any) => [agency.code, agency.units]));
    expect(byCode.MK).toBeNull();
    expect(byCode.XK.length).toBeGreaterThan(0);
    expect(result.errors![0]).toMatchObject({ path: ['agencies', 0, 'units'], extensions: { code: 'AGENCY_UNAVAILABLE', agency: 'MK' } });
  });

  it('refuses ids of agencies outside the exchange with a clear code', async () => {
    const result = await hub.query('xk-border-officer', `{ alerts(agencies: ["ZZ"]) { totalCount } }`);
    expect(codes(result)).toEqual(['AGENCY_UNKNOWN']);
    const foreign = await hub.query('xk-border-officer', `query($id: ID!) { alert(id: $id) { id } }`, {
      id: toGlobalId('Alert', 'ZZ', '00000000-0000-0000-0000-000000000000'),
    });
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data!.alert).toBeNull();
  });
});
