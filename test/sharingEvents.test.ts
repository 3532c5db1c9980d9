import { Writable } from 'node:stream';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewaySchema } from '../src/gateway/schema/index.ts';
import { trustedDocumentNamed } from '../src/gateway/trustedDocuments.ts';
import { runSubscribeCommand } from '../src/realtime/runSubscribeCommand.ts';
import { demoUsers, type DemoUserName } from '../src/demo/demoUsers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { activeOperation, daysFromNow, deciders, memberInput, operationDocuments, succeed, workingInOperation } from './operationFixtures.ts';
import { adminQuery, graphql, purposeHeaders, startTestHub, testPurpose, waitUntil, webSocketUrl, type TestHub } from './helpers.ts';
import { alertSharedSubscription, consentEventsSubscription, subscribe, subscribeOverSse, type SseSubscriber, type Subscriber } from './hitSubscriber.ts';

// Issue 19's alertShared and consentEvents over real sockets (graphql-ws) and
// server-sent events: each event once and in order, resumable from its
// cursor, decided by the owner's node at delivery (a revocation between the
// event and its delivery delivers nothing), each push logged at the owner and
// at the gateway under the subscriber's purpose and case; refused at
// subscribe time with the codes HTTP gives; an expired cursor refused.

const requestConsent = /* GraphQL */ `mutation Request($input: ConsentRequestInput!) { requestConsent(input: $input) { id } }`;
const decide = /* GraphQL */ `
  mutation Decide($id: ID!, $input: ConsentDecisionInput!) { decideConsentRequest(id: $id, input: $input) { id grant { id } } }
`;
const revoke = /* GraphQL */ `mutation Revoke($id: ID!, $reason: String!) { revokeConsentGrant(id: $id, reason: $reason) { id } }`;
const setPolicy = /* GraphQL */ `mutation Policy($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
type Purpose = { purpose: string; caseReference: string | null };
const codesOf = (errors: readonly { extensions?: Record<string, any> }[]) => errors.map((error) => error.extensions?.code);

describe('alertShared and consentEvents', () => {
  let hub: TestHub;
  const sockets: Subscriber[] = [];
  const streams: SseSubscriber[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ nodeTimeoutMs: 10_000, gateway: { feedWaitMs: 1_000, subscriptionPollMs: 500, maxConnectionsPerOfficer: 100 } });
  });
  afterAll(async () => {
    for (const stream of streams) stream.dispose();
    await Promise.all(sockets.map((socket) => socket.dispose()));
    await hub?.[Symbol.asyncDispose]();
  });

  const overSocket = async (user: DemoUserName, query: string, variables: Record<string, unknown> = {}, purpose: Purpose = testPurpose) => {
    const socket = subscribe(hub.gatewayUrl, { authorization: `Bearer ${await hub.token(user)}`, ...purpose }, query, variables);
    sockets.push(socket);
    return socket;
  };
  const overSse = async (user: DemoUserName, query: string, variables: Record<string, unknown> = {}, purpose: Purpose = testPurpose) => {
    const stream = subscribeOverSse(hub.gatewayUrl, { authorization: `Bearer ${await hub.token(user)}`, ...purposeHeaders(purpose) }, query, variables);
    streams.push(stream);
    return stream;
  };
  const subscriptionsOf = async (user: DemoUserName, field: string) =>
    (
      await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from audit.entry where actor_sub = $1 and details->>'subscription' = $2 and details ? 'from'`, [
        demoUsers[user].sub,
        field,
      ])
    )[0]!.n as number;
  /** Waits until the officer's subscriptions so far are in place (their entries written: their start in the feed is fixed). */
  const placed = (user: DemoUserName, field: string, count: number) =>
    waitUntil(`${count} ${field} subscriptions of ${user}`, async () => (await subscriptionsOf(user, field)) >= count);
  const seize = async (title: string) => {
    const result = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title }) });
    expect(result.errors).toBeUndefined();
    return result.data!.createAlert as { id: string; localId: string; reference: string };
  };
  const ask = async (alertId: string, tier = 'FULL') => {
    const result = await hub.query('mk-border-officer', requestConsent, { input: { alertId, tier, justification: 'The driver is a suspect in our rifle deliveries case.' } });
    expect(result.errors).toBeUndefined();
    return result.data!.requestConsent.id as string;
  };
  const grant = async (requestId: string, expiresAt = inDays(30)) => {
    const result = await hub.query('xk-duty-officer', decide, { id: requestId, input: { decision: 'GRANT', tier: 'FULL', expiresAt, reason: 'Joint investigation.' } });
    expect(result.errors).toBeUndefined();
    return result.data!.decideConsentRequest.grant.id as string;
  };
  const share = async (alertId: string, tier: string, purposes = [testPurpose.purpose]) => {
    const result = await hub.query('xk-border-officer', setPolicy, { id: alertId, input: { rules: [{ partnerAgency: 'MK', tier, purposes, expiresAt: inDays(30) }] } });
    expect(result.errors).toBeUndefined();
  };
  /** Each push of one officer's subscription at the gateway, and the owner's disclosure of the same event under the same purpose and case. */
  const expectLoggedAtBothEnds = async (user: DemoUserName, field: string, count: number) => {
    const sub = demoUsers[user].sub;
    const pushes = await adminQuery(
      hub.hubDatabase.name,
      `select purpose, case_reference, records, details->'delivery'->>'source' as source, (details->'delivery'->>'seq')::int as seq from audit.entry
        where actor_sub = $1 and kind = 'CONSULTATION' and details->>'subscription' = $2 and details ? 'delivery' order by seq`,
      [sub, field],
    );
    expect(pushes).toHaveLength(count);
    for (const push of pushes) {
      const disclosures = await adminQuery(
        hub.nodes.get(push.source)!.database.name,
        `select records from audit.entry where actor_sub = $1 and kind = 'DISCLOSURE' and (details->'delivery'->>'seq')::int = $2
            and purpose = $3 and case_reference is not distinct from $4`,
        [sub, push.seq, push.purpose, push.case_reference],
      );
      expect(disclosures, `disclosure of ${push.source} event ${push.seq} to ${sub}`).toHaveLength(1);
      expect(disclosures[0]!.records.map((record: { id: string }) => record.id)).toEqual(push.records.map((record: { id: string }) => record.id));
    }
    return pushes;
  };

  it('consentEvents: the request reaches the owner’s duty officer with its deadline, the decision and the revocation the requesting unit, once and in order, logged at both ends', async () => {
    const owner = await overSocket('xk-duty-officer', consentEventsSubscription);
    const requester = await overSse('mk-border-officer', consentEventsSubscription);
    // An officer of the owner who does not decide consent, and one of the requesting agency's other units: nothing for either.
    const bystander = await overSocket('xk-border-officer', consentEventsSubscription);
    const otherUnit = await overSocket('mk-analyst', consentEventsSubscription);
    for (const [user, count] of [['xk-duty-officer', 1], ['mk-border-officer', 1], ['xk-border-officer', 1]] as const) await placed(user, 'consentEvents', count);

    const alert = await seize('Consent events: pistols in a spare tyre');
    const requestId = await ask(alert.id);
    const [incoming] = await owner.waitFor(1);
    expect(incoming).toMatchObject({ kind: 'CONSENT_REQUESTED', owner: { code: 'XK' }, request: { id: requestId, status: 'PENDING', tier: 'FULL', requestingAgency: 'MK', overdue: false } });
    // The deadline of the agreement (48 h).
    expect((new Date(incoming.request.dueAt).getTime() - new Date(incoming.request.createdAt).getTime()) / 3600_000).toBeCloseTo(48, 1);

    const grantId = await grant(requestId);
    await hub.query('xk-duty-officer', revoke, { id: grantId, reason: 'Case closed on the XK side.' });
    const [decided, revoked] = await requester.waitFor(2);
    expect(decided).toMatchObject({ kind: 'CONSENT_DECIDED', request: { id: requestId, status: 'GRANTED', grant: { id: grantId, tier: 'FULL' } } });
    // Decided at delivery: the request as it stands now (the revocation shows already on the decision's push when it came after).
    expect(revoked).toMatchObject({ kind: 'CONSENT_GRANT_REVOKED', request: { id: requestId, grant: { id: grantId, revokedAt: expect.any(String) } } });

    // A marker after everything: one more request, to the owner only.
    const marker = await ask((await seize('Consent events: marker')).id);
    expect((await owner.waitFor(2))[1].request.id).toBe(marker);
    expect(owner.events).toHaveLength(2);
    expect(requester.events).toHaveLength(2);
    expect(bystander.events).toEqual([]);
    expect(otherUnit.events).toEqual([]);
    for (const subscriber of [owner, bystander, otherUnit]) expect(subscriber.errors).toEqual([]);
    expect(requester.errors).toEqual([]);

    await expectLoggedAtBothEnds('xk-duty-officer', 'consentEvents', 2);
    await expectLoggedAtBothEnds('mk-border-officer', 'consentEvents', 2);

    // Resumed from the cursor of the decision: the revocation, once, and nothing before it.
    const resumed = await overSocket('mk-border-officer', consentEventsSubscription, { after: decided.cursor });
    expect((await resumed.waitFor(1)).map((event) => event.kind)).toEqual(['CONSENT_GRANT_REVOKED']);
    await placed('mk-border-officer', 'consentEvents', 2);
    await ask((await seize('Consent events: second marker')).id);
    await owner.waitFor(3);
    expect(resumed.events).toHaveLength(1);
  });

  it('alertShared: a rule and a grant announce the record at its new tier to the subscriber whose purpose and case gain; a revocation before delivery delivers nothing', async () => {
    const investigating = await overSocket('mk-border-officer', alertSharedSubscription);
    const checking = await overSse('mk-border-officer', alertSharedSubscription, {}, { purpose: 'BORDER_CHECK', caseReference: null });
    await placed('mk-border-officer', 'alertShared', 2);

    const ruled = await seize('Shared: ammunition in a cargo of apples');
    await share(ruled.id, 'SUMMARY');
    const [first] = await investigating.waitFor(1);
    expect(first).toMatchObject({
      cause: 'SHARING_POLICY',
      owner: { code: 'XK' },
      alert: { id: ruled.id, access: { tier: 'SUMMARY', basis: 'POLICY', purpose: testPurpose.purpose }, summary: { title: 'Shared: ammunition in a cargo of apples' }, personalData: null },
    });

    const granted = await seize('Shared: a grant for the investigation');
    const grantId = await grant(await ask(granted.id));
    const [, second] = await investigating.waitFor(2);
    expect(second).toMatchObject({
      cause: 'CONSENT_GRANT',
      alert: { id: granted.id, access: { tier: 'FULL', basis: 'GRANT', grantId, caseReference: testPurpose.caseReference }, personalData: { subjects: [{ familyName: 'Krasniqi' }] } },
    });
    await investigating.dispose();

    // While nobody listens: a grant, revoked before anything delivers it; then a marker.
    const revokedLater = await seize('Shared: granted, then revoked');
    const revokedGrant = await grant(await ask(revokedLater.id));
    expect((await hub.query('xk-duty-officer', revoke, { id: revokedGrant, reason: 'Given by mistake.' })).errors).toBeUndefined();
    const marker = await seize('Shared: marker');
    await share(marker.id, 'SUMMARY');

    const resumed = await overSocket('mk-border-officer', alertSharedSubscription, { after: second.cursor });
    const [next] = await resumed.waitFor(1);
    expect(next.alert.id).toBe(marker.id);
    expect(resumed.events).toHaveLength(1);

    // The owner decided and logged it at delivery: the revoked grant's event withheld, no higher for this subscriber now.
    const xk = hub.nodes.get('XK')!.database.name;
    const [event] = await adminQuery(xk, `select seq::int from node.event where kind = 'ALERT_SHARED' and alert_id = $1`, [revokedLater.localId]);
    const withheld = await adminQuery(xk, `select details->'withheld'->>'reason' as reason, records from audit.entry where (details->'withheld'->>'seq')::int = $1`, [event!.seq]);
    expect(withheld).toEqual([{ reason: 'NOT_HIGHER', records: [expect.objectContaining({ id: revokedLater.localId, tier: 'NONE' })] }]);

    // Under BORDER_CHECK only the rule's records gain (the grant is for the investigation's case): none of these, as the rule names CRIMINAL_INVESTIGATION.
    const border = await seize('Shared: for border checks');
    await share(border.id, 'SUMMARY', ['BORDER_CHECK']);
    expect((await checking.waitFor(1)).map((shared) => shared.alert.id)).toEqual([border.id]);
    expect(checking.errors).toEqual([]);

    // Each push, at both ends, under the subscriber's purpose and case (3 under the investigation, 1 under the border check).
    const pushes = await expectLoggedAtBothEnds('mk-border-officer', 'alertShared', 4);
    expect(pushes.map((push) => push.purpose).sort()).toEqual(['BORDER_CHECK', 'CRIMINAL_INVESTIGATION', 'CRIMINAL_INVESTIGATION', 'CRIMINAL_INVESTIGATION']);
  });

  it('alertShared: a joint operation’s release reaches the members of the partner working in it, at the released tier', async () => {
    const code = 'XK-MK-JO-2026-SH';
    const operation = await activeOperation(hub, code, [['mk-border-officer', 'MEMBER'], ['xk-border-officer', 'MEMBER']]);
    await succeed(hub, 'xk-liaison', operationDocuments.addMember, { id: operation, input: memberInput(deciders.XK, 'MEMBER') }, workingInOperation(code));
    const seizure = await seize('Shared: linked to the operation');
    await succeed(hub, 'xk-border-officer', operationDocuments.link, { id: operation, alertId: seizure.id }, workingInOperation(code));
    const before = await subscriptionsOf('mk-border-officer', 'alertShared');
    const member = await overSocket('mk-border-officer', alertSharedSubscription, {}, workingInOperation(code));
    // Not working in the operation: not for them (the gain is for the operation's purpose and code only).
    const outside = await overSocket('mk-border-officer', alertSharedSubscription);
    await placed('mk-border-officer', 'alertShared', before + 2);
    const released = await graphql(hub.gatewayUrl, operationDocuments.release, { id: operation, input: { tier: 'SUMMARY', expiresAt: daysFromNow(30) } }, { token: await hub.token(deciders.XK), ...workingInOperation(code) });
    expect(released.errors).toBeUndefined();
    const [shared] = await member.waitFor(1);
    expect(shared).toMatchObject({ cause: 'JOINT_OPERATION_RELEASE', alert: { id: seizure.id, access: { tier: 'SUMMARY', basis: 'GRANT', purpose: 'JOINT_OPERATION', caseReference: code } } });
    // A marker for the one outside: a rule for its purpose, after the release.
    const marker = await seize('Shared: marker after the release');
    await share(marker.id, 'SUMMARY');
    expect((await outside.waitFor(1)).map((event) => event.alert.id)).toEqual([marker.id]);
    expect(member.events).toHaveLength(1);
  });

  it('refuses both subscriptions at subscribe time with the codes HTTP gives, over graphql-ws and server-sent events', async () => {
    const underAudit = { purpose: 'AUDIT', caseReference: null };
    for (const query of [alertSharedSubscription, consentEventsSubscription]) {
      const refusals = [
        { code: 'PURPOSE_NOT_ALLOWED', socket: await overSocket('mk-border-officer', query, {}, underAudit), sse: await overSse('mk-border-officer', query, {}, underAudit) },
        { code: 'FORBIDDEN', socket: await overSocket('xk-auditor', query), sse: await overSse('xk-auditor', query) },
      ];
      for (const { code, socket, sse } of refusals) {
        await socket.ended;
        await sse.completed;
        expect(codesOf(socket.graphqlErrors())).toEqual([code]);
        expect(codesOf(sse.errors)).toEqual([code]);
      }
    }
  });

  it('answers CURSOR_EXPIRED to a cursor from before what the feed keeps', async () => {
    const before = await subscriptionsOf('mk-border-officer', 'consentEvents');
    const subscriber = await overSocket('mk-border-officer', consentEventsSubscription);
    await placed('mk-border-officer', 'consentEvents', before + 1);
    await grant(await ask((await seize('Expired cursor: a request')).id));
    const refused = await ask((await seize('Expired cursor: another request')).id);
    expect((await hub.query('xk-duty-officer', decide, { id: refused, input: { decision: 'REFUSE', reason: 'Not for this case.' } })).errors).toBeUndefined();
    const [event] = await subscriber.waitFor(2);
    // The feed pruned through the second for this unit's audience: the first's cursor misses it.
    const [position] = await adminQuery(hub.hubDatabase.name, `select seq::int from hub.feed_position where source = 'XK'`);
    await adminQuery(hub.hubDatabase.name, `insert into hub.feed_pruned (audience, source, seq) values ('unit:MK:MK-BP-BLACE', 'XK', $1)`, [position!.seq]);
    const late = await overSocket('mk-border-officer', consentEventsSubscription, { after: event.cursor });
    await late.ended;
    expect(codesOf(late.graphqlErrors())).toEqual(['CURSOR_EXPIRED']);
    expect(late.graphqlErrors()[0]!.message).toMatch(/Subscribe again without a cursor/);
  });

  it('prints consent events as JSON lines from `hub subscribe --to consentEvents`, the walk-through of docs/realtime.md', async () => {
    for (const name of ['AlertShared', 'ConsentEvents']) expect(validate(gatewaySchema, parse(trustedDocumentNamed(name).document))).toEqual([]);
    const follow = async (user: DemoUserName, lines: string[], signal: AbortSignal) => {
      const out = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
      const args = ['--to', 'consentEvents', '--url', webSocketUrl(hub.gatewayUrl), '--token', await hub.token(user), '--purpose', testPurpose.purpose, '--case-reference', testPurpose.caseReference];
      // Not awaited here: it resolves when the command exits.
      return { exited: runSubscribeCommand(args, { out, signal }) };
    };
    const controller = new AbortController();
    const atOwner: string[] = [];
    const atRequester: string[] = [];
    const counts = [await subscriptionsOf('xk-duty-officer', 'consentEvents'), await subscriptionsOf('mk-border-officer', 'consentEvents')];
    const exited = [await follow('xk-duty-officer', atOwner, controller.signal), await follow('mk-border-officer', atRequester, controller.signal)];
    await placed('xk-duty-officer', 'consentEvents', counts[0]! + 1);
    await placed('mk-border-officer', 'consentEvents', counts[1]! + 1);
    const requestId = await ask((await seize('Walk-through: a rifle in a spare wheel')).id);
    await waitUntil('the request at the duty officer', async () => atOwner.length > 0);
    expect(JSON.parse(atOwner[0]!)).toMatchObject({ kind: 'CONSENT_REQUESTED', owner: { code: 'XK' }, request: { id: requestId, status: 'PENDING', dueAt: expect.any(String) } });
    await grant(requestId);
    await waitUntil('the decision at the requester', async () => atRequester.length > 0);
    expect(JSON.parse(atRequester[0]!)).toMatchObject({ kind: 'CONSENT_DECIDED', request: { id: requestId, status: 'GRANTED', grant: { tier: 'FULL' } } });
    controller.abort();
    expect(await Promise.all(exited.map((command) => command.exited))).toEqual([0, 0]);
  });
});
