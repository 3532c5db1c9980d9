import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import { linkedAlertsDigest } from '../src/identity/gatewayCredential.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, demoUsers, startTestHub, testPurpose, type TestHub } from './helpers.ts';
import { startFaultProxy, type FaultProxy } from './nodeFaults.ts';
import { activeOperation, callNodeAsGateway, daysFromNow, operationDocuments, operationInput, succeed, workingInOperation } from './operationFixtures.ts';

// Closing or cancelling an operation ends its releases, and leaves its members
// a record they can read but not change: the partners' linked alerts then reach
// them only as the partners' own policies give them (issue 17 item 9).

let hub: TestHub;
let proxy: FaultProxy;

const record = /* GraphQL */ `
  query($id: ID!) {
    jointOperation(id: $id) {
      status members { id officerSub removedAt } timeline { text }
      linkedAlerts { alertId alert { access { tier basis } } }
      releases { owner { code } tier endedAt }
    }
  }
`;

/** An active operation with both agencies' border officers and duty officers, XK's alert linked and released to MK at FULL. */
async function releasedOperation(code: string) {
  const inOperation = workingInOperation(code);
  const id = await activeOperation(hub, code, [
    ['xk-border-officer', 'MEMBER'],
    ['mk-border-officer', 'MEMBER'],
    ['xk-duty-officer', 'MEMBER'],
    ['mk-duty-officer', 'MEMBER'],
  ]);
  const alert = (await succeed(hub, 'xk-border-officer', createAlertMutation, { input: alertInput({ title: `Pistols for ${code}` }) }, testPurpose)).createAlert;
  await succeed(hub, 'xk-border-officer', operationDocuments.link, { id, alertId: alert.id }, inOperation);
  await succeed(hub, 'xk-duty-officer', operationDocuments.release, { id, input: { tier: 'FULL', expiresAt: daysFromNow(90) } }, inOperation);
  const tierForMk = async () => (await succeed(hub, 'mk-border-officer', record, { id }, inOperation)).jointOperation.linkedAlerts[0].alert.access;
  expect(await tierForMk()).toEqual({ tier: 'FULL', basis: 'GRANT' });
  return { id, inOperation, alertId: alert.id as string, tierForMk };
}

/** The operation's live grants at XK's node, and XK's release of it there. */
async function atXk(code: string) {
  const database = hub.nodes.get('XK')!.database.name;
  const grants = await adminQuery(database, `select id from node.consent_grant where purpose = 'JOINT_OPERATION' and case_reference = $1 and revoked_at is null`, [code]);
  const [release] = await adminQuery<{ tier: string; ended_at: Date | null }>(database, `select tier, ended_at from node.joint_operation_release where operation = $1`, [code]);
  return { live: grants.length, ended: release?.ended_at != null };
}

const close = (id: string, inOperation: ReturnType<typeof workingInOperation>, status = 'CLOSED') =>
  succeed(hub, 'xk-liaison', operationDocuments.changeStatus, { id, input: { status, reason: 'Objectives met.' } }, inOperation);

beforeAll(async () => {
  hub = await startTestHub({
    nodeTimeoutMs: 10_000,
    routeNode: async (agency, url) => (agency === 'XK' ? (proxy = await startFaultProxy(url)).url : url),
  });
});

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
  await proxy?.close();
});

describe('closing or cancelling an operation ends its releases', () => {
  it('at once at every owner’s node: the partner’s members see the owner’s alerts at its policy, no longer at the release', async () => {
    const { id, inOperation, tierForMk } = await releasedOperation('XK-MK-JO-2026-41');
    await close(id, inOperation);
    expect(await atXk('XK-MK-JO-2026-41')).toEqual({ live: 0, ended: true });
    expect(await tierForMk()).toEqual({ tier: 'HIT', basis: 'DEFAULT_POLICY' });
    const { releases } = (await succeed(hub, 'xk-border-officer', record, { id }, inOperation)).jointOperation;
    expect(releases).toEqual([{ owner: { code: 'XK' }, tier: 'FULL', endedAt: expect.any(String) }]);
    // The owner's node logged the end, naming the alert.
    const ended = await adminQuery(hub.nodes.get('XK')!.database.name, `select records from audit.entry where kind = 'CHANGE' and details->>'change' = 'joint operation release ended' and details->>'operation' = $1`, ['XK-MK-JO-2026-41']);
    expect(ended).toHaveLength(1);
  });

  it('at a node that did not hear of the closure, before it answers anything under the operation', async () => {
    const code = 'XK-MK-JO-2026-42';
    const { id, inOperation, tierForMk } = await releasedOperation(code);
    proxy.inject('JointOperationRelease', { kind: 'down' }, 10);
    await close(id, inOperation, 'CANCELLED');
    proxy.inject('JointOperationRelease', null);
    expect(await atXk(code)).toEqual({ live: 1, ended: false });
    // The first request under the cancelled operation that reaches XK's node ends the release there first.
    expect(await tierForMk()).toEqual({ tier: 'HIT', basis: 'DEFAULT_POLICY' });
    expect(await atXk(code)).toEqual({ live: 0, ended: true });
  });

  it('and the owner’s node takes no release but NONE for it again, whatever a gateway then vouches for', async () => {
    const code = 'XK-MK-JO-2026-41';
    const [alert] = await adminQuery<{ id: string }>(hub.nodes.get('XK')!.database.name, `select id from node.alert where title = 'Pistols for ${code}'`);
    const input = { revision: 9, alertIds: [alert!.id], granteeAgencies: ['MK'], tier: 'FULL', expiresAt: daysFromNow(30) };
    const document = `mutation SetJointOperationRelease($input: JointOperationReleaseInput!) { setJointOperationRelease(input: $input) { outcome } }`;
    const reopened = await callNodeAsGateway(hub, 'XK', 'xk-duty-officer', { operation: code, role: 'MEMBER', open: true, linkedAlerts: linkedAlertsDigest([alert!.id]) }, document, { input }, workingInOperation(code));
    expect(codes(reopened)).toEqual(['INVALID_TRANSITION']);
    expect(await atXk(code)).toEqual({ live: 0, ended: true });
  });
});

describe('a closed operation', () => {
  let id: string;
  let inOperation: ReturnType<typeof workingInOperation>;
  beforeAll(async () => {
    ({ id, inOperation } = await releasedOperation('XK-MK-JO-2026-43'));
    await succeed(hub, 'mk-border-officer', operationDocuments.addEntry, { id, input: { kind: 'NOTE', occurredAt: '2026-12-02T08:00:00.000Z', text: 'Debrief held.' } }, inOperation);
    await close(id, inOperation);
  });

  it('is read by its members: its record, and their own agency’s linked alerts in full', async () => {
    const asXk = (await succeed(hub, 'xk-border-officer', record, { id }, inOperation)).jointOperation;
    expect(asXk.status).toBe('CLOSED');
    expect(asXk.timeline).toEqual([{ text: 'Debrief held.' }]);
    expect(asXk.linkedAlerts[0].alert.access).toEqual({ tier: 'FULL', basis: 'DOMESTIC' });
  });

  it('changes no more: neither members, links, timeline, status nor a release above NONE', async () => {
    const refusals: [DemoUserName, string, Record<string, unknown>][] = [
      ['xk-liaison', operationDocuments.addMember, { id, input: { officerSub: 'xk.bp.new', agency: 'XK', unitCode: 'XK-BP-HANI', role: 'MEMBER' } }],
      ['mk-border-officer', operationDocuments.addEntry, { id, input: { kind: 'NOTE', occurredAt: '2026-12-03T08:00:00.000Z', text: 'Late note.' } }],
      ['xk-liaison', operationDocuments.changeStatus, { id, input: { status: 'ACTIVE' } }],
      ['xk-duty-officer', operationDocuments.release, { id, input: { tier: 'SUMMARY', expiresAt: daysFromNow(30) } }],
    ];
    for (const [user, document, variables] of refusals) expect(codes(await hub.query(user, document, variables, inOperation))).toEqual(['INVALID_TRANSITION']);
    expect(await atXk('XK-MK-JO-2026-43')).toEqual({ live: 0, ended: true });
  });

  it('still takes a withdrawal (NONE) of a release, and the removal of a member, whose access to the record then ends', async () => {
    const withdrawn = await succeed(hub, 'xk-duty-officer', operationDocuments.release, { id, input: { tier: 'NONE', expiresAt: daysFromNow(1) } }, inOperation);
    expect(withdrawn.setOperationRelease.tier).toBe('NONE');
    const { members } = (await succeed(hub, 'mk-border-officer', record, { id }, inOperation)).jointOperation;
    const memberId = members.find((member: any) => member.officerSub === demoUsers['mk-border-officer'].sub).id;
    await succeed(hub, 'mk-liaison', operationDocuments.removeMember, { id, memberId }, inOperation);
    expect(codes(await hub.query('mk-border-officer', record, { id }, inOperation))).toEqual(['PURPOSE_NOT_ALLOWED']);
  });
});

describe('input through the API', () => {
  it('refuses invisible characters in an operation’s text, and creates nothing', async () => {
    const count = async () => (await adminQuery(hub.hubDatabase.name, `select 1 from hub.joint_operation`)).length;
    const before = await count();
    const result = await hub.query('xk-liaison', operationDocuments.create, { input: operationInput('XK-MK-JO-2026-44', { codeName: 'SHPATA\u202eATAPHS' }) }, testPurpose);
    expect(codes(result)).toEqual(['VALIDATION_FAILED']);
    expect(result.errors![0]!.message).toContain('U+202E');
    expect(await count()).toBe(before);
  });
});
