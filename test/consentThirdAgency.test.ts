import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { graphql, startTestHub, type TestHub } from './helpers.ts';

// An agency that joins the exchange later (AL) is not a party of the XK–MK
// agreement: the default policy does not reach it, and an H2 record reaches
// only the partners its owner named.

let hub: TestHub;
let defaultId: string;
let h2Id: string;
const setPolicy = `mutation($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { sharingPolicy { handlingCode rules { partnerAgency tier } } } }`;
const list = `{ alerts(first: 50, agencies: ["XK"]) { totalCount edges { node { id access { tier basis handlingCode } } } } }`;

beforeAll(async () => {
  hub = await startTestHub({ agencies: ['XK', 'MK', 'AL'] });
  defaultId = (await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'default policy' }) })).data!.createAlert.id;
  h2Id = (await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'H2' }) })).data!.createAlert.id;
  const policy = await hub.query('xk-border-officer', setPolicy, {
    id: h2Id,
    input: {
      handlingCode: 'H2',
      rules: [{ partnerAgency: 'MK', tier: 'FULL', purposes: ['CRIMINAL_INVESTIGATION'], expiresAt: new Date(Date.now() + 864e5).toISOString() }],
    },
  });
  expect(policy.data!.setSharingPolicy.sharingPolicy).toEqual({ handlingCode: 'H2', rules: [{ partnerAgency: 'MK', tier: 'FULL' }] });
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('a third agency', () => {
  it('gets nothing by default, and never an H2 record it was not named for', async () => {
    const token = await hub.token({ sub: 'al.officer', agency: 'AL', unit: 'AL-BP', roles: ['officer'] });
    const result = await graphql(hub.gatewayUrl, list, {}, { token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.alerts).toEqual({ totalCount: 0, edges: [] });
  });

  it('while the named partner sees the H2 record in full, told how to handle it', async () => {
    const result = await hub.query('mk-border-officer', list);
    const byId = Object.fromEntries(result.data!.alerts.edges.map((edge: any) => [edge.node.id, edge.node.access]));
    expect(byId[h2Id]).toEqual({ tier: 'FULL', basis: 'POLICY', handlingCode: 'H2' });
    expect(byId[defaultId]).toEqual({ tier: 'HIT', basis: 'DEFAULT_POLICY', handlingCode: 'H0' });
  });

  it('takes a rule for an agency that joined the exchange by configuration', async () => {
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'for AL' }) });
    const result = await hub.query('xk-border-officer', setPolicy, {
      id: created.data!.createAlert.id,
      input: { rules: [{ partnerAgency: 'AL', tier: 'SUMMARY', purposes: ['CRIMINAL_INVESTIGATION'], expiresAt: new Date(Date.now() + 864e5).toISOString() }] },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.setSharingPolicy.sharingPolicy.rules).toEqual([{ partnerAgency: 'AL', tier: 'SUMMARY' }]);
  });

  it('refuses a rule for the owner itself, for an agency outside the exchange and an H3 record without its conditions', async () => {
    const own = await hub.query('xk-border-officer', setPolicy, {
      id: defaultId,
      input: { rules: [{ partnerAgency: 'XK', tier: 'FULL', purposes: [], expiresAt: new Date(Date.now() + 864e5).toISOString() }] },
    });
    expect(own.errors![0]!.extensions!.code).toBe('VALIDATION_FAILED');
    const h3 = await hub.query('xk-border-officer', setPolicy, { id: defaultId, input: { handlingCode: 'H3' } });
    expect(h3.errors![0]!.extensions!.code).toBe('VALIDATION_FAILED');
    const partner = await hub.query('mk-border-officer', setPolicy, { id: defaultId, input: { handlingCode: 'H1' } });
    expect(partner.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    // Rules are for agencies of the exchange: a code no node knows is refused, the whole policy with it.
    const foreign = await hub.query('xk-border-officer', setPolicy, {
      id: defaultId,
      input: {
        handlingCode: 'H1',
        rules: [
          { partnerAgency: 'MK', tier: 'SUMMARY', purposes: ['CRIMINAL_INVESTIGATION'], expiresAt: new Date(Date.now() + 864e5).toISOString() },
          { partnerAgency: 'ZZ', tier: 'FULL', purposes: ['CRIMINAL_INVESTIGATION'], expiresAt: new Date(Date.now() + 864e5).toISOString() },
        ],
      },
    });
    expect(foreign.errors![0]!.extensions!.code).toBe('VALIDATION_FAILED');
    expect(foreign.errors![0]!.extensions!.issues).toEqual([{ path: 'input.rules.1.partnerAgency', message: expect.stringMatching(/not an agency of the exchange/) }]);
    const row = await hub.nodes.get('XK')!.prisma.alert.findFirstOrThrow({ where: { title: 'default policy' }, include: { sharingRules: true } });
    expect(row.handlingCode).toBe('H0');
    expect(row.sharingRules).toEqual([]);
  });
});
