import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement, type ExchangeAgreement } from '../src/consent/agreement.ts';
import { mintGatewayCredential } from '../src/identity/gatewayCredential.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { activeOperation, daysFromNow, operationDocuments, workingInOperation } from './operationFixtures.ts';
import { codes, graphql, startTestHub, type TestHub } from './helpers.ts';

// Who decides consent requests (and releases records to a joint operation),
// and who sets a record's sharing policy, is the agreement's to say (the roles
// it marks decidesConsent and setsSharingPolicy), and the agreement reaches
// the gateway and the nodes through their configuration. Under the committed
// agreement duty officers decide and officers set policies; under an amended
// one, liaisons decide and officers no longer set policies: at the gateway and
// at the owner's node alike.

/** The committed agreement with consent decided by liaisons instead of duty officers, and policies set without the officer role. */
function amendedAgreement(): ExchangeAgreement {
  const amended = structuredClone(agreement);
  amended.roles.duty_officer = { ...amended.roles.duty_officer, decidesConsent: false };
  amended.roles.liaison = { ...amended.roles.liaison, decidesConsent: true };
  amended.roles.officer = { ...amended.roles.officer, setsSharingPolicy: false };
  return amended;
}

const requestConsent = `mutation($input: ConsentRequestInput!) { requestConsent(input: $input) { id status } }`;
const incoming = `{ consentRequests(filter: { direction: INCOMING, statuses: [PENDING] }) { edges { node { id } } } }`;
const decide = `mutation($id: ID!, $input: ConsentDecisionInput!) { decideConsentRequest(id: $id, input: $input) { status grant { id tier } } }`;
const revoke = `mutation($id: ID!, $reason: String!) { revokeConsentGrant(id: $id, reason: $reason) { revokedAt } }`;
const setPolicy = `mutation($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { access { handlingCode } } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

const cases = [
  { name: 'the committed agreement', agreement: undefined, decider: 'xk-duty-officer', notDecider: 'xk-liaison', setter: 'xk-border-officer', notSetter: 'xk-liaison' },
  { name: 'an agreement that gives consent to liaisons', agreement: amendedAgreement(), decider: 'xk-liaison', notDecider: 'xk-duty-officer', setter: 'xk-duty-officer', notSetter: 'xk-border-officer' },
] as const;

describe.each(cases)('under $name', ({ agreement: terms, decider, notDecider, setter, notSetter }) => {
  let hub: TestHub;
  let alertId: string;
  beforeAll(async () => {
    hub = await startTestHub(terms ? { agreement: terms } : {});
    alertId = (await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() })).data!.createAlert.id;
  });
  afterAll(async () => {
    await hub?.[Symbol.asyncDispose]();
  });

  /** Calls the XK node as the gateway would, with its credential, so that only the node's own check stands. */
  async function atNode(user: DemoUserName, query: string, variables: Record<string, unknown>) {
    const officerToken = await hub.token(user);
    const credential = await mintGatewayCredential(hub.keys.gateway, 'XK', officerToken);
    return graphql(hub.nodes.get('XK')!.url, query, variables, { headers: { [officerTokenHeader]: officerToken, authorization: `Bearer ${credential}` } });
  }

  it(`lets ${decider} decide and revoke, and not ${notDecider}, at the gateway and at the node`, async () => {
    const asked = await hub.query('mk-border-officer', requestConsent, { input: { alertId, tier: 'SUMMARY', justification: 'Route analysis for our case.' } });
    const id = asked.data!.requestConsent.id;
    const grant = { decision: 'GRANT', tier: 'SUMMARY', expiresAt: inDays(10), reason: 'For the joint case.' };

    expect(codes(await hub.query(notDecider, incoming))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.query(notDecider, decide, { id, input: grant }))).toEqual(['FORBIDDEN']);
    const local = (await hub.nodes.get('XK')!.prisma.consentRequest.findFirstOrThrow({ where: { status: 'PENDING' } })).id;
    expect(codes(await atNode(notDecider, decide, { id: local, input: grant }))).toEqual(['FORBIDDEN']);
    expect(await hub.nodes.get('XK')!.prisma.consentGrant.count()).toBe(0);

    expect((await hub.query(decider, incoming)).data!.consentRequests.edges.map((edge: any) => edge.node.id)).toEqual([id]);
    const decided = await hub.query(decider, decide, { id, input: grant });
    expect(decided.errors).toBeUndefined();
    expect(decided.data!.decideConsentRequest).toMatchObject({ status: 'GRANTED', grant: { tier: 'SUMMARY' } });
    const grantId = decided.data!.decideConsentRequest.grant.id;
    expect(codes(await hub.query(notDecider, revoke, { id: grantId, reason: 'Not mine to end.' }))).toEqual(['FORBIDDEN']);
    expect((await hub.query(decider, revoke, { id: grantId, reason: 'Case closed.' })).data!.revokeConsentGrant.revokedAt).not.toBeNull();
  });

  it(`lets ${setter} set a sharing policy, and not ${notSetter}, at the gateway and at the node`, async () => {
    const input = { handlingCode: 'H1', rules: [{ partnerAgency: 'MK', tier: 'SUMMARY', purposes: ['CRIMINAL_INVESTIGATION'], expiresAt: inDays(30) }] };
    expect(codes(await hub.query(notSetter, setPolicy, { id: alertId, input }))).toEqual(['FORBIDDEN']);
    const local = (await hub.nodes.get('XK')!.prisma.alert.findFirstOrThrow()).id;
    expect(codes(await atNode(notSetter, setPolicy, { id: local, input }))).toEqual(['FORBIDDEN']);
    expect((await hub.nodes.get('XK')!.prisma.alert.findFirstOrThrow()).handlingCode).toBe('H0');
    const set = await hub.query(setter, setPolicy, { id: alertId, input });
    expect(set.errors).toBeUndefined();
    expect(set.data!.setSharingPolicy.access.handlingCode).toBe('H1');
  });

  it(`lets ${decider} release records to a joint operation, and not ${notDecider}, both members`, async () => {
    const code = 'XK-MK-JO-2026-77';
    const inOperation = workingInOperation(code);
    // The XK liaison plans the operation and is a member; the duty officer joins it.
    const operationId = await activeOperation(hub, code, [['xk-duty-officer', 'MEMBER']]);
    expect((await hub.query('xk-liaison', operationDocuments.link, { id: operationId, alertId }, inOperation)).errors).toBeUndefined();
    const release = (user: DemoUserName) => hub.query(user, operationDocuments.release, { id: operationId, input: { tier: 'SUMMARY', expiresAt: daysFromNow(10) } }, inOperation);
    expect(codes(await release(notDecider))).toEqual(['FORBIDDEN']);
    expect(await hub.nodes.get('XK')!.prisma.consentGrant.count({ where: { caseReference: code } })).toBe(0);
    const released = await release(decider);
    expect(released.errors).toBeUndefined();
    expect(released.data!.setOperationRelease).toMatchObject({ owner: { code: 'XK' }, tier: 'SUMMARY' });
    expect(await hub.nodes.get('XK')!.prisma.consentGrant.count({ where: { caseReference: code, revokedAt: null } })).toBe(1);
  });
});
