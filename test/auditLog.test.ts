import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/verifyAuditChain.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, graphql, startTestHub, testPurpose, type TestHub } from './helpers.ts';

let hub: TestHub;
let alertId: string;
let localId: string;

interface EntryRow {
  seq: string;
  kind: string;
  actor_sub: string | null;
  actor_agency: string | null;
  purpose: string | null;
  case_reference: string | null;
  operation: string | null;
  records: { agency: string; id: string; tier?: string; basis?: string; grantId?: string }[];
  outcome: string;
  error_code: string | null;
  details: Record<string, unknown> | null;
}

const entries = (agency: string) =>
  adminQuery<EntryRow>(hub.nodes.get(agency)!.database.name, 'select * from audit.entry order by seq');

beforeAll(async () => {
  hub = await startTestHub();
  const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  alertId = created.data!.createAlert.id;
  localId = created.data!.createAlert.localId;
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('disclosure log at the owner node', () => {
  it('records the change of a mutation in its own transaction, with who, why and which record', async () => {
    const [change] = (await entries('XK')).filter((entry) => entry.kind === 'CHANGE');
    expect(change).toMatchObject({
      actor_sub: 'xk.bp.arben.berisha',
      actor_agency: 'XK',
      purpose: testPurpose.purpose,
      case_reference: testPurpose.caseReference,
      operation: 'mutation CreateAlert',
      outcome: 'OK',
    });
    expect(change!.records).toEqual([expect.objectContaining({ agency: 'XK', id: localId })]);
  });

  it('records every release to a partner with the tier and its basis', async () => {
    const before = (await entries('XK')).length;
    const result = await hub.query('mk-border-officer', `query Look($id: ID!) { alert(id: $id) { reference access { tier } } }`, { id: alertId });
    expect(result.data!.alert.access.tier).toBe('HIT');
    const after = await entries('XK');
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({
      kind: 'DISCLOSURE',
      actor_sub: 'mk.bp.goran.stojanovski',
      actor_agency: 'MK',
      operation: 'query Alert',
      outcome: 'OK',
      records: [expect.objectContaining({ id: localId, tier: 'HIT', basis: 'DEFAULT_POLICY' })],
    });
  });

  it('records a request the node refuses, with the subject it claimed', async () => {
    const token = await hub.token('mk-border-officer');
    const refused = await graphql(hub.nodes.get('XK')!.url, '{ agency { code } }', {}, { headers: { [officerTokenHeader]: token } });
    expect(codes(refused)).toEqual(['GATEWAY_CREDENTIAL_INVALID']);
    expect((await entries('XK')).at(-1)).toMatchObject({
      kind: 'DENIAL',
      outcome: 'DENIED',
      error_code: 'GATEWAY_CREDENTIAL_INVALID',
      details: { claimedSubject: expect.stringContaining('mk.bp.goran.stojanovski') },
    });
  });

  it('keeps a chain that verifies', async () => {
    const client = new pg.Client({ connectionString: hub.nodes.get('XK')!.database.url });
    await client.connect();
    try {
      expect(await verifyAuditChain(client)).toMatchObject({ ok: true });
    } finally {
      await client.end();
    }
  });
});

describe('fail-closed', () => {
  const database = () => hub.nodes.get('XK')!.database.name;

  it('releases no data and changes nothing when the log cannot take the entry', async () => {
    const before = await entries('XK');
    const alertsBefore = await hub.nodes.get('XK')!.prisma.alert.count();
    await adminQuery(database(), 'revoke insert on audit.entry from hub_app');
    try {
      // XK's node withholds everything; the caller is told it was XK's log (the other agencies still answer).
      const read = await hub.query('mk-border-officer', `query($id: ID!) { alert(id: $id) { reference } }`, { id: alertId });
      expect(codes(read)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(read.errors![0]).toMatchObject({ message: expect.stringMatching(/audit log of agency XK/), extensions: { agency: 'XK' } });
      expect(read.data?.alert ?? null).toBeNull();
      const list = await hub.query('xk-border-officer', `{ alerts { unavailableAgencies edges { node { reference owner { code } } } } }`);
      expect(codes(list)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(list.data!.alerts.unavailableAgencies).toEqual(['XK']);
      expect(list.data!.alerts.edges.map((edge: any) => edge.node.owner.code)).not.toContain('XK');
      const write = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'must not exist' }) });
      expect(codes(write)).toEqual(['AUDIT_UNAVAILABLE']);
      // The gateway's log says so too: the outcome of each names XK's log, not an agency that did not answer.
      const outcomes = await adminQuery<{ operation: string; outcome: string; error_code: string }>(
        hub.hubDatabase.name,
        `select operation, outcome, error_code from audit.entry where outcome <> 'PENDING' order by seq desc limit 3`,
      );
      expect(outcomes.map((entry) => entry.error_code)).toEqual(['AUDIT_UNAVAILABLE', 'AUDIT_UNAVAILABLE', 'AUDIT_UNAVAILABLE']);
      expect(outcomes.map((entry) => entry.outcome)).toEqual(['ERROR', 'PARTIAL', 'PARTIAL']);
    } finally {
      await adminQuery(database(), 'grant insert on audit.entry to hub_app');
    }
    expect(await hub.nodes.get('XK')!.prisma.alert.count()).toBe(alertsBefore);
    expect(await hub.nodes.get('XK')!.prisma.alert.count({ where: { title: 'must not exist' } })).toBe(0);
    expect(await entries('XK')).toEqual(before);
  });
});
