import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkedAlertsDigest, type VerifiedMembership } from '../src/identity/gatewayCredential.ts';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, startTestHub, testPurpose, type TestHub } from './helpers.ts';
import { gate, startFaultProxy, type FaultProxy } from './nodeFaults.ts';
import { activeOperation, asOfficer, callNodeAsGateway, daysFromNow, deciders, memberInput, operationDocuments, succeed, workingInOperation } from './operationFixtures.ts';

// An owner releases its alerts linked to a joint operation with consent grants
// at its own node. Item 10: the node decides, from its own data and the
// agreement, who may release what to whom and until when, so a gateway holding
// an officer's token cannot make durable grants. Item 13: the hub calls the
// node holding nothing of the operation, and the two sides agree through the
// decision's number, whatever fails in between.

const code = 'XK-MK-JO-2026-31';
const inOperation = workingInOperation(code);
const releases = /* GraphQL */ `query($id: ID!) { jointOperation(id: $id) { releases { owner { code } tier expiresAt revision endedAt } } }`;
const setRelease = /* GraphQL */ `
  mutation SetJointOperationRelease($input: JointOperationReleaseInput!) { setJointOperationRelease(input: $input) { outcome release { revision tier } } }
`;

let hub: TestHub;
let proxy: FaultProxy;
let operationId: string;
/** XK alerts linked to the operation, by local id; and one XK alert that is not linked. */
let linked: string[];
let unlinked: string;

const localIdOf = async (id: string) => (await succeed(hub, 'xk-border-officer', `query($id: ID!) { alert(id: $id) { localId } }`, { id }, testPurpose)).alert.localId as string;

beforeAll(async () => {
  hub = await startTestHub({
    nodeTimeoutMs: 10_000,
    routeNode: async (agency, url) => (agency === 'XK' ? (proxy = await startFaultProxy(url)).url : url),
  });
  operationId = await activeOperation(hub, code, [
    ['xk-border-officer', 'MEMBER'],
    ['mk-border-officer', 'MEMBER'],
    ['xk-duty-officer', 'MEMBER'],
  ]);
  await succeed(hub, 'xk-liaison', operationDocuments.addMember, { id: operationId, input: memberInput(deciders.XK, 'ANALYST') }, inOperation);
  const ids = [];
  for (const title of ['Pistols in a spare wheel', 'Rounds in a fuel tank', 'Not linked']) {
    ids.push((await succeed(hub, 'xk-border-officer', createAlertMutation, { input: alertInput({ title }) }, testPurpose)).createAlert.id as string);
  }
  for (const id of ids.slice(0, 2)) await succeed(hub, 'xk-border-officer', operationDocuments.link, { id: operationId, alertId: id }, inOperation);
  linked = await Promise.all(ids.slice(0, 2).map(localIdOf));
  unlinked = await localIdOf(ids[2]!);
});

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
  await proxy?.close();
});

const xkNode = () => hub.nodes.get('XK')!.database.name;

/** XK's release as its node holds it, and the live grants of the operation there. */
async function atNode() {
  const [release] = await adminQuery<{ revision: number; tier: string; expires_at: Date }>(xkNode(), `select revision, tier, expires_at from node.joint_operation_release where operation = $1`, [code]);
  const grants = await adminQuery<{ id: string; alert_id: string; grantee_agency: string; tier: string }>(
    xkNode(),
    `select id, alert_id, grantee_agency, tier from node.consent_grant where purpose = 'JOINT_OPERATION' and case_reference = $1 and revoked_at is null order by id`,
    [code],
  );
  return { release: release ?? null, grants };
}

/** XK's release as the hub shows it. */
const atHub = async () =>
  (await succeed(hub, 'xk-border-officer', releases, { id: operationId }, inOperation)).jointOperation.releases.find((release: any) => release.owner.code === 'XK') ?? null;

/** The hub shows exactly the release XK's node enforces. */
async function expectAgreement(tier: string) {
  const [node, shown] = await Promise.all([atNode(), atHub()]);
  expect(shown).toMatchObject({ tier, revision: node.release!.revision, expiresAt: node.release!.expires_at.toISOString() });
  expect(node.release!.tier).toBe(tier);
  expect(node.grants.map((grant) => [grant.alert_id, grant.grantee_agency, grant.tier]).sort()).toEqual(tier === 'NONE' ? [] : linked.map((id) => [id, 'MK', tier]).sort());
}

const release = (user: DemoUserName, tier: string, expiresAt = daysFromNow(30)) => hub.query(user, operationDocuments.release, { id: operationId, input: { tier, expiresAt } }, inOperation);

describe('the owner’s node decides who releases what, to whom and until when', () => {
  const vouched = (alertIds: string[] | null): VerifiedMembership => ({ operation: code, role: 'LIAISON', open: true, ...(alertIds ? { linkedAlerts: linkedAlertsDigest(alertIds) } : {}) });
  const input = (overrides: Record<string, unknown> = {}) => ({ input: { revision: 1, alertIds: linked, granteeAgencies: ['MK'], tier: 'FULL', expiresAt: daysFromNow(30), ...overrides } });

  it('refuses, at the hub and before the node is asked, a member whose roles do not decide consent, liaisons included', async () => {
    const before = proxy.calls('SetJointOperationRelease');
    for (const user of ['xk-liaison', 'xk-border-officer'] as const) expect(codes(await release(user, 'FULL'))).toEqual(['FORBIDDEN']);
    expect(proxy.calls('SetJointOperationRelease')).toBe(before);
    expect(await atNode()).toEqual({ release: null, grants: [] });
  });

  it('refuses a gateway that vouches for anything, with the token of an owner officer whose roles do not decide consent', async () => {
    for (const officer of ['xk-liaison', 'xk-border-officer'] as const) {
      const result = await callNodeAsGateway(hub, 'XK', officer, vouched(linked), setRelease, input(), inOperation);
      expect(codes(result)).toEqual(['FORBIDDEN']);
    }
    expect(await atNode()).toEqual({ release: null, grants: [] });
  });

  it('refuses, for a consent decider, alerts the gateway does not vouch for as linked to the operation', async () => {
    const attempts = [
      [vouched(null), input()],
      [vouched(linked), input({ alertIds: [...linked, unlinked] })],
      [vouched([unlinked]), input({ alertIds: linked })],
    ] as const;
    for (const [membership, variables] of attempts) {
      expect(codes(await callNodeAsGateway(hub, 'XK', 'xk-duty-officer', membership, setRelease, variables, inOperation))).toEqual(['FORBIDDEN']);
    }
    expect(await atNode()).toEqual({ release: null, grants: [] });
  });

  it('refuses grantees outside the exchange or the owner itself, and an expiry beyond the agreement’s maxGrantDays (180)', async () => {
    for (const variables of [input({ granteeAgencies: ['ZZ'] }), input({ granteeAgencies: ['XK'] }), input({ granteeAgencies: [] }), input({ expiresAt: daysFromNow(181) }), input({ expiresAt: '2099-01-01T00:00:00Z' })]) {
      const result = await callNodeAsGateway(hub, 'XK', 'xk-duty-officer', vouched(linked), setRelease, variables, inOperation);
      expect(codes(result), JSON.stringify(variables)).toEqual(['VALIDATION_FAILED']);
    }
    expect(codes(await release('xk-duty-officer', 'FULL', daysFromNow(181)))).toEqual(['VALIDATION_FAILED']);
    expect(await atNode()).toEqual({ release: null, grants: [] });
  });

  it('takes the release of a consent decider who is a member, for the linked alerts, to the partners, and the hub records it', async () => {
    expect((await release('xk-duty-officer', 'SUMMARY')).errors).toBeUndefined();
    await expectAgreement('SUMMARY');
    const partner = await hub.query('mk-border-officer', `query($id: ID!) { jointOperation(id: $id) { linkedAlerts { alert { access { tier basis } } } } }`, { id: operationId }, inOperation);
    expect(partner.data!.jointOperation.linkedAlerts.map((link: any) => link.alert.access)).toEqual(linked.map(() => ({ tier: 'SUMMARY', basis: 'GRANT' })));
  });
});

describe('the hub and the owner’s node agree, whatever fails between them', () => {
  /** How many CHANGE entries XK's node wrote for releases of the operation. */
  const releaseChanges = async () =>
    (await adminQuery(xkNode(), `select 1 from audit.entry where kind = 'CHANGE' and details->>'change' = 'joint operation release' and details->>'operation' = $1`, [code])).length;

  it('holds nothing of the operation while the owner’s node answers: other changes to it go on meanwhile', async () => {
    const answer = gate();
    const held = gate();
    proxy.inject('SetJointOperationRelease', { kind: 'holdAnswer', until: answer.opened, onHeld: held.open });
    let settled = false;
    const pending = release('xk-duty-officer', 'FULL').finally(() => (settled = true));
    await held.opened;
    // The node has applied it; its answer waits. A change to the same operation does not wait for it.
    const entry = await hub.query('xk-border-officer', operationDocuments.addEntry, { id: operationId, input: { kind: 'NOTE', occurredAt: '2026-12-02T08:00:00.000Z', text: 'Checkpoint set up.' } }, inOperation);
    expect(entry.errors).toBeUndefined();
    expect(settled).toBe(false);
    answer.open();
    expect((await pending).errors).toBeUndefined();
    await expectAgreement('FULL');
  });

  it('sends the same decision again when the answer is lost, and the node applies it once', async () => {
    const changes = await releaseChanges();
    proxy.inject('SetJointOperationRelease', { kind: 'dropAnswer' });
    const result = await release('xk-duty-officer', 'SUMMARY');
    expect(result.errors).toBeUndefined();
    expect(proxy.calls('SetJointOperationRelease')).toBeGreaterThanOrEqual(2);
    expect(await releaseChanges()).toBe(changes + 1);
    await expectAgreement('SUMMARY');
  });

  it('tells the client when the hub cannot record what the node applied, and records it when set again, without granting twice', async () => {
    await adminQuery(hub.hubDatabase.name, `create function hub.refuse_release() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$`);
    await adminQuery(hub.hubDatabase.name, `create trigger refuse_release before insert or update on hub.operation_release for each row execute function hub.refuse_release()`);
    const before = await atHub();
    const expiresAt = daysFromNow(30);
    try {
      const failed = await release('xk-duty-officer', 'FULL', expiresAt);
      expect(failed.errors).toHaveLength(1);
      expect(failed.data?.setOperationRelease ?? null).toBeNull();
    } finally {
      await adminQuery(hub.hubDatabase.name, `drop trigger refuse_release on hub.operation_release; drop function hub.refuse_release()`);
    }
    // The node applied it; the hub still shows the release before.
    const applied = await atNode();
    expect(applied.release!.tier).toBe('FULL');
    expect(await atHub()).toEqual(before);
    const changes = await releaseChanges();
    // The same decision again is the same revision: the node answers with what it applied, and the hub records that.
    const again = await release('xk-duty-officer', 'FULL', expiresAt);
    expect(again.errors).toBeUndefined();
    expect(await releaseChanges()).toBe(changes);
    expect((await atNode()).grants.map((grant) => grant.id)).toEqual(applied.grants.map((grant) => grant.id));
    await expectAgreement('FULL');
  });

  it('records first what the node holds and the hub missed, then applies a different decision after it', async () => {
    await adminQuery(hub.hubDatabase.name, `create function hub.refuse_release() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$`);
    await adminQuery(hub.hubDatabase.name, `create trigger refuse_release before insert or update on hub.operation_release for each row execute function hub.refuse_release()`);
    try {
      expect((await release('xk-duty-officer', 'HIT')).errors).toHaveLength(1);
    } finally {
      await adminQuery(hub.hubDatabase.name, `drop trigger refuse_release on hub.operation_release; drop function hub.refuse_release()`);
    }
    const missed = (await atNode()).release!.revision;
    expect((await release('xk-duty-officer', 'SUMMARY')).errors).toBeUndefined();
    await expectAgreement('SUMMARY');
    expect((await atNode()).release!.revision).toBe(missed + 1);
    const reconciled = await adminQuery(hub.hubDatabase.name, `select details from audit.entry where kind = 'CHANGE' and details->>'change' = 'release reconciled with the owner node' and case_reference = $1`, [code]);
    expect(reconciled.map((entry) => entry.details)).toEqual([{ change: 'release reconciled with the owner node', owner: 'XK', tier: 'HIT', revision: missed }]);
  });

  it('converges on one of two decisions made at the same time, each applied in turn', async () => {
    const results = await Promise.all([release('xk-duty-officer', 'HIT'), asOfficer(hub, deciders.XK, operationDocuments.release, { id: operationId, input: { tier: 'FULL', expiresAt: daysFromNow(20) } }, inOperation)]);
    for (const result of results) expect(result.errors).toBeUndefined();
    const last = (await atNode()).release!;
    await expectAgreement(last.tier);
  });
});
