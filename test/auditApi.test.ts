import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { codes, graphql, startTestHub, type TestHub } from './helpers.ts';

let hub: TestHub;
let alertId: string;
const audit = { purpose: 'AUDIT', caseReference: null };
const review = `query Review($party: String!, $filter: AuditFilter) {
  auditEntries(party: $party, filter: $filter, first: 100) { totalCount edges { node { seq party kind actorSub actorAgency operation records { id tier } outcome } } }
}`;

beforeAll(async () => {
  hub = await startTestHub();
  alertId = (await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() })).data!.createAlert.id;
  await hub.query('mk-border-officer', `query Peek($id: ID!) { alert(id: $id) { reference } }`, { id: alertId });
  await hub.query('xk-border-officer', `query Own { alerts(agencies: ["MK"]) { totalCount } }`);
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('auditor API', () => {
  it('lets an auditor read the whole log of their agency', async () => {
    const result = await hub.query('xk-auditor', review, { party: 'XK' }, audit);
    expect(result.errors).toBeUndefined();
    const kinds = result.data!.auditEntries.edges.map((edge: any) => `${edge.node.kind} ${edge.node.actorAgency}`);
    expect(kinds).toEqual(expect.arrayContaining(['CHANGE XK', 'DISCLOSURE MK']));
  });

  it('and, in other parties\u2019 logs, only what their own agency\u2019s officers did', async () => {
    for (const party of ['MK', 'GATEWAY']) {
      const result = await hub.query('xk-auditor', review, { party }, audit);
      expect(result.errors, party).toBeUndefined();
      const agencies = new Set(result.data!.auditEntries.edges.map((edge: any) => edge.node.actorAgency));
      expect([...agencies], party).toEqual(['XK']);
    }
  });

  it('lets the joint oversight board read every party, and filter', async () => {
    const token = await hub.token({ sub: 'board.member', agency: 'MK', unit: 'MK-DPO', roles: ['oversight'] });
    const result = await graphql(hub.gatewayUrl, review, { party: 'GATEWAY', filter: { actorAgency: 'MK', kind: 'CONSULTATION' } }, { token, ...audit });
    expect(result.errors).toBeUndefined();
    const entries = result.data!.auditEntries.edges.map((edge: any) => edge.node);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((entry: any) => entry.actorAgency === 'MK' && entry.kind === 'CONSULTATION')).toBe(true);
  });

  it('follows one record across parties', async () => {
    const result = await hub.query('xk-auditor', `query Trail($id: ID!) { recordDisclosures(alertId: $id) { party kind actorAgency records { tier } } }`, { id: alertId }, audit);
    expect(result.errors).toBeUndefined();
    const trail = result.data!.recordDisclosures.map((entry: any) => `${entry.party} ${entry.kind} ${entry.actorAgency}`);
    // The owner's own log in full; at the gateway, only what XK officers consulted.
    expect(trail).toEqual(expect.arrayContaining(['XK CHANGE XK', 'XK DISCLOSURE MK', 'GATEWAY CONSULTATION XK']));
    expect(trail).not.toContain('GATEWAY CONSULTATION MK');
  });

  it('is closed to operational roles, and operational data is closed to auditors', async () => {
    expect(codes(await hub.query('xk-border-officer', review, { party: 'XK' }, audit))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.query('xk-auditor', `query Feed { alerts { totalCount } }`, {}, audit))).toEqual(['FORBIDDEN']);
  });

  it('holds the purpose AUDIT to the logs and the logs to AUDIT', async () => {
    // "AUDIT: … never operational data": not even the owner's own officers get their records under it.
    const operational = [
      `query Feed { alerts(agencies: ["XK"]) { totalCount } }`,
      `query One($id: ID!) { alert(id: $id) { reference } }`,
      `query Find { search(input: { plate: "01-234-AB" }) { outcome } }`,
      `query Traces { traceRequests { totalCount } }`,
    ];
    for (const query of operational) {
      const result = await hub.query('xk-border-officer', query, { id: alertId }, audit);
      expect(codes(result), query).toEqual(['PURPOSE_NOT_ALLOWED']);
      expect(result.data?.alert ?? null, query).toBeNull();
    }
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() }, audit);
    expect(codes(created)).toEqual(['PURPOSE_NOT_ALLOWED']);
    // Auditors read the logs under AUDIT only.
    expect(codes(await hub.query('xk-auditor', review, { party: 'XK' }))).toEqual(['PURPOSE_NOT_ALLOWED']);
    const trail = await hub.query('xk-auditor', `query Trail($id: ID!) { recordDisclosures(alertId: $id) { party } }`, { id: alertId }, { purpose: 'BORDER_CHECK' });
    expect(codes(trail)).toEqual(['PURPOSE_NOT_ALLOWED']);
  });
});
