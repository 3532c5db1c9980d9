import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import { mintGatewayCredential } from '../src/identity/gatewayCredential.ts';
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

  it('takes the API id of a record, as recordDisclosures does, and the owner\u2019s id as entries show it', async () => {
    const localId = Buffer.from(alertId, 'base64').toString('utf8').split(':').at(-1)!;
    const seqs = async (recordId: string) => {
      const result = await hub.query('xk-auditor', review, { party: 'XK', filter: { recordId } }, audit);
      expect(result.errors).toBeUndefined();
      return result.data!.auditEntries.edges.map((edge: any) => edge.node.seq);
    };
    const byApiId = await seqs(alertId);
    expect(byApiId.length).toBeGreaterThan(1);
    expect(await seqs(localId)).toEqual(byApiId);
    const trail = await hub.query('xk-auditor', `query Trail($id: ID!) { recordDisclosures(alertId: $id) { party seq } }`, { id: alertId }, audit);
    expect(trail.data!.recordDisclosures.filter((entry: any) => entry.party === 'XK').map((entry: any) => entry.seq)).toEqual(byApiId);

    const wrongType = await hub.query('xk-auditor', review, { party: 'XK', filter: { recordId: Buffer.from('ConsentGrant:XK:x').toString('base64') } }, audit);
    expect(codes(wrongType)).toEqual(['VALIDATION_FAILED']);
    expect(wrongType.errors![0]!.message).toBe('Invalid input: filter.recordId is not the id of an Alert or a TraceRequest.');
  });

  it('filters kinds, outcomes and purposes by enums: a misspelt value is refused, not matched against nothing', async () => {
    const filtered = await hub.query('xk-auditor', review, { party: 'XK', filter: { kind: 'DISCLOSURE', outcome: 'OK', purpose: 'CRIMINAL_INVESTIGATION' } }, audit);
    expect(filtered.errors).toBeUndefined();
    const entries = filtered.data!.auditEntries.edges.map((edge: any) => edge.node);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((entry: any) => entry.kind === 'DISCLOSURE' && entry.outcome === 'OK')).toBe(true);
    for (const filter of [{ kind: 'DISCLOSURES' }, { outcome: 'FAILED' }, { purpose: 'FISHING' }]) {
      expect(codes(await hub.query('xk-auditor', review, { party: 'XK', filter }, audit)), JSON.stringify(filter)).toEqual(['BAD_USER_INPUT']);
    }
    const literal = await hub.query('xk-auditor', `{ auditEntries(party: "XK", filter: { kind: "DISCLOSURE" }) { totalCount } }`, {}, audit);
    expect(codes(literal)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
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

describe('what a partner auditor reads of another party\u2019s log', () => {
  const mkAuditor = { sub: 'mk.dpo.elena.stojanovska', agency: 'MK', unit: 'MK-DPO', roles: ['auditor' as const] };
  const peek = `query Peek($id: ID!) { alert(id: $id) { reference } }`;
  const trail = `query Trail($id: ID!) { recordDisclosures(alertId: $id) { party kind actorAgency operation records { id tier } } }`;
  let hiddenId: string;
  let hiddenLocalId: string;
  let mkAuditorToken: string;
  /** A well-formed alert id of XK that names no record. */
  const absentId = Buffer.from('Alert:XK:00000000-0000-4000-8000-000000000000').toString('base64');

  beforeAll(async () => {
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'Withheld from MK' }) });
    hiddenId = created.data!.createAlert.id;
    hiddenLocalId = Buffer.from(hiddenId, 'base64').toString('utf8').split(':').at(-1)!;
    // H2: released only to partners named in a rule, and none is: NONE for MK.
    const shared = await hub.query('xk-border-officer', `mutation Share($id: ID!) { setSharingPolicy(alertId: $id, input: { handlingCode: H2 }) { id } }`, { id: hiddenId });
    expect(shared.errors).toBeUndefined();
    // The MK officer asks for the hidden record and for one that does not exist: both answer null.
    for (const id of [hiddenId, absentId]) {
      const result = await hub.query('mk-border-officer', peek, { id });
      expect(result.errors).toBeUndefined();
      expect(result.data!.alert).toBeNull();
    }
    mkAuditorToken = await hub.token(mkAuditor);
  });

  const asMkAuditor = (query: string, variables: Record<string, unknown>) => graphql(hub.gatewayUrl, query, variables, { token: mkAuditorToken, ...audit });

  it('the owner\u2019s own auditor sees that the record was withheld', async () => {
    const result = await hub.query('xk-auditor', review, { party: 'XK', filter: { actorAgency: 'MK', recordId: hiddenId } }, audit);
    expect(result.errors).toBeUndefined();
    const records = result.data!.auditEntries.edges.flatMap((edge: any) => edge.node.records);
    expect(records).toContainEqual({ id: hiddenLocalId, tier: 'NONE' });
  });

  it('the partner\u2019s auditor cannot tell the withheld record from one that does not exist', async () => {
    const log = await asMkAuditor(review, { party: 'XK', filter: { actorAgency: 'MK' } });
    expect(log.errors).toBeUndefined();
    // The node's entries of the two reads, the newest of the log: both logged, both saying nothing was released.
    const peeks = log.data!.auditEntries.edges.map((edge: any) => edge.node).slice(0, 2);
    expect(peeks.map((entry: any) => `${entry.kind} ${entry.operation} ${entry.outcome}`)).toEqual(['DISCLOSURE query Alert OK', 'DISCLOSURE query Alert OK']);
    for (const entry of peeks) expect(entry.records).toEqual([]);
    const all = log.data!.auditEntries.edges.flatMap((edge: any) => edge.node.records);
    expect(all.some((record: any) => record.id === hiddenLocalId || record.tier === 'NONE')).toBe(false);

    // Filtering by the record, by its API id or its local id, finds nothing and counts nothing.
    for (const recordId of [hiddenId, hiddenLocalId]) {
      const filtered = await asMkAuditor(review, { party: 'XK', filter: { recordId } });
      expect(filtered.errors).toBeUndefined();
      expect(filtered.data!.auditEntries).toEqual({ totalCount: 0, edges: [] });
      const absent = await asMkAuditor(review, { party: 'XK', filter: { recordId: absentId } });
      expect(absent.data!.auditEntries).toEqual(filtered.data!.auditEntries);
    }

    const disclosures = await asMkAuditor(trail, { id: hiddenId });
    expect(disclosures.errors).toBeUndefined();
    const nothing = await asMkAuditor(trail, { id: absentId });
    expect(disclosures.data!.recordDisclosures).toEqual([]);
    expect(nothing.data!.recordDisclosures).toEqual([]);
  });

  it('straight at the owner\u2019s node too, as the gateway forwards the auditor', async () => {
    const credential = await mintGatewayCredential(hub.keys.gateway, 'XK', mkAuditorToken);
    const log = `query Log($filter: AuditFilter) { auditEntries(first: 100, filter: $filter) { totalCount edges { node { records { id tier } } } } }`;
    const headers = { [officerTokenHeader]: mkAuditorToken, authorization: `Bearer ${credential}` };
    const byRecord = await graphql(hub.nodes.get('XK')!.url, log, { filter: { recordId: hiddenLocalId } }, { headers, ...audit });
    expect(byRecord.errors).toBeUndefined();
    expect(byRecord.data!.auditEntries).toEqual({ totalCount: 0, edges: [] });
    const everything = await graphql(hub.nodes.get('XK')!.url, log, {}, { headers, ...audit });
    const records = everything.data!.auditEntries.edges.flatMap((edge: any) => edge.node.records);
    expect(records.some((record: any) => record.tier === 'NONE')).toBe(false);
  });
});
