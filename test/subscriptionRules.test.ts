import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers, type DemoUserName } from '../src/demo/demoUsers.ts';
import { mintGatewayCredential } from '../src/identity/gatewayCredential.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import type { OfficerClaims } from '../src/identity/mintOfficerToken.ts';
import { nodeOperations } from '../src/gateway/nodeOperations.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, enrolInJointOperation, graphql, purposeHeaders, startTestHub, testPurpose, waitUntil, type TestHub } from './helpers.ts';
import { cursorPositions, hitsSubscription, subscribe, subscribeOverSse, type SseSubscriber, type Subscriber } from './hitSubscriber.ts';

// Issue 17's subscription rules, over real sockets and server-sent events: a
// subscription is refused when it is subscribed exactly as the same request
// over HTTP (1); a push carries what the subscriber's own purpose and roles
// allow, logged at both ends under that purpose (2); a cursor is one the
// gateway issued (6); a push the log cannot take ends the stream with the
// cursor of the last delivered (7); a JOINT_OPERATION watch entry reaches its
// members working in it, and ends nobody's stream (8).

const createWatch = /* GraphQL */ `mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`;
const setPolicy = /* GraphQL */ `mutation Policy($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
const border = { purpose: 'BORDER_CHECK', caseReference: null };
type Purpose = { purpose: string; caseReference: string | null };

let counter = 0;
const uniquePlate = () => `SR-${String(++counter).padStart(3, '0')}-${process.pid % 100}`;
const officer = (name: string, unit = 'MK-CUSTOMS', roles: OfficerClaims['roles'] = ['officer']): OfficerClaims => ({ sub: `mk.rules.${name}`, agency: 'MK', unit, roles });
const codesOf = (errors: readonly { extensions?: Record<string, any> }[]) => errors.map((error) => error.extensions?.code);

describe('subscriptions are held to the rules of a request', () => {
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

  const tokenOf = (user: DemoUserName | OfficerClaims) => hub.token(user);
  const subOf = (user: DemoUserName | OfficerClaims) => (typeof user === 'string' ? demoUsers[user].sub : user.sub);
  const overSocket = async (user: DemoUserName | OfficerClaims, purpose: Purpose = testPurpose, variables: Record<string, unknown> = {}, query = hitsSubscription) => {
    const socket = subscribe(hub.gatewayUrl, { authorization: `Bearer ${await tokenOf(user)}`, ...purpose }, query, variables);
    sockets.push(socket);
    return socket;
  };
  const overSse = async (user: DemoUserName | OfficerClaims, purpose: Purpose = testPurpose, variables: Record<string, unknown> = {}, query = hitsSubscription) => {
    const stream = subscribeOverSse(hub.gatewayUrl, { authorization: `Bearer ${await tokenOf(user)}`, ...purposeHeaders(purpose) }, query, variables);
    streams.push(stream);
    return stream;
  };
  const subscriptionsOf = async (sub: string) =>
    (await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from audit.entry where actor_sub = $1 and details->>'subscription' = 'hits' and details ? 'from'`, [sub]))[0]!
      .n as number;
  /** Waits until the officer's subscriptions so far are in place (their entries written: their start in the feed is fixed). */
  const placed = (user: DemoUserName | OfficerClaims, count: number) => waitUntil(`${count} subscriptions of ${subOf(user)}`, async () => (await subscriptionsOf(subOf(user))) >= count);
  const watch = async (user: DemoUserName | OfficerClaims, plate: string, purpose: Purpose = testPurpose) => {
    const result = await graphql(hub.gatewayUrl, createWatch, { input: { plate, plateCountry: 'XK', expiresAt: inDays(30) } }, { token: await tokenOf(user), ...purpose });
    expect(result.errors).toBeUndefined();
  };
  const car = (...plates: string[]) => ({ firearms: [], subjects: [], vehicles: plates.map((plate) => ({ role: 'CONCEALMENT', plate, plateCountry: 'XK' })) });
  const seize = async (...plates: string[]) => {
    const result = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput(car(...plates)) });
    expect(result.errors).toBeUndefined();
    return result.data!.createAlert as { id: string; localId: string; reference: string };
  };
  /** A seizure recorded at the XK node itself, as the gateway forwards it, for when the gateway's own log is down. */
  const seizeAtNode = async (plate: string) => {
    const node = hub.nodes.get('XK')!;
    const officerToken = await hub.token('xk-border-officer');
    const result = await graphql(node.url, nodeOperations.createAlert, { input: alertInput(car(plate)) }, {
      token: await mintGatewayCredential(hub.keys.gateway, 'XK', officerToken),
      headers: { [officerTokenHeader]: officerToken },
    });
    expect(result.errors).toBeUndefined();
    return result.data!.createAlert as { id: string };
  };
  const entriesAt = (database: string, sub: string) =>
    adminQuery<{ kind: string; outcome: string; error_code: string | null; purpose: string | null; operation: string | null; records: unknown[] }>(
      database,
      `select kind, outcome, error_code, purpose, operation, records from audit.entry where actor_sub = $1 order by seq`,
      [sub],
    );

  it('refuses hits at subscribe time with the codes HTTP gives, over graphql-ws and server-sent events, logs the denial, and asks nothing of the nodes', async () => {
    const plate = uniquePlate();
    const watcher = officer('watcher');
    const auditor = 'xk-auditor';
    await watch(watcher, plate);
    // The same field over HTTP: refused, and how.
    const overHttp = await graphql(hub.gatewayUrl, '{ watchEntries { totalCount } }', {}, { token: await tokenOf(watcher), purpose: 'AUDIT', caseReference: null });
    expect(codesOf(overHttp.errors ?? [])).toEqual(['PURPOSE_NOT_ALLOWED']);

    const underAudit = { socket: await overSocket(watcher, { purpose: 'AUDIT', caseReference: null }), sse: await overSse(watcher, { purpose: 'AUDIT', caseReference: null }) };
    const byAuditor = { socket: await overSocket(auditor), sse: await overSse(auditor) };
    for (const [refused, code] of [
      [underAudit, 'PURPOSE_NOT_ALLOWED'],
      [byAuditor, 'FORBIDDEN'],
    ] as const) {
      await refused.socket.ended;
      await refused.sse.completed;
      expect(codesOf(refused.socket.graphqlErrors())).toEqual([code]);
      expect(codesOf(refused.sse.errors)).toEqual([code]);
    }

    // A subscriber of the unit under the entry's purpose, to know when the hit has been delivered.
    const control = await overSocket(watcher);
    await placed(watcher, 1);
    const seizure = await seize(plate);
    expect((await control.waitFor(1))[0].alert.id).toBe(seizure.id);
    for (const refused of [underAudit.socket, underAudit.sse, byAuditor.socket, byAuditor.sse]) expect(refused.events).toEqual([]);

    // Each refusal has its DENIAL entry at the gateway, as over HTTP.
    const denials = await adminQuery(
      hub.hubDatabase.name,
      `select actor_sub, error_code, purpose from audit.entry where kind = 'DENIAL' and operation = 'subscription Hits' and actor_sub in ($1, $2) order by actor_sub`,
      [watcher.sub, demoUsers[auditor].sub],
    );
    expect(denials).toEqual([
      { actor_sub: watcher.sub, error_code: 'PURPOSE_NOT_ALLOWED', purpose: 'AUDIT' },
      { actor_sub: watcher.sub, error_code: 'PURPOSE_NOT_ALLOWED', purpose: 'AUDIT' },
      { actor_sub: demoUsers[auditor].sub, error_code: 'FORBIDDEN', purpose: testPurpose.purpose },
      { actor_sub: demoUsers[auditor].sub, error_code: 'FORBIDDEN', purpose: testPurpose.purpose },
    ]);
    // The owner's node was asked only the control's delivery: nothing under AUDIT, nothing for the auditor.
    const xk = hub.nodes.get('XK')!.database.name;
    expect((await entriesAt(xk, watcher.sub)).filter((entry) => entry.operation === 'query DeliverHit').map((entry) => [entry.kind, entry.purpose])).toEqual([
      ['DISCLOSURE', testPurpose.purpose],
    ]);
    expect((await entriesAt(xk, demoUsers[auditor].sub)).filter((entry) => entry.operation === 'query DeliverHit')).toEqual([]);

    // The node decides it too, before anything: a delivery asked under AUDIT is refused and logged as a denial.
    const [event] = await adminQuery(xk, `select seq from node.event where alert_id = $1`, [seizure.localId]);
    const token = await tokenOf(watcher);
    const asked = await graphql(hub.nodes.get('XK')!.url, nodeOperations.deliverHit, { seq: Number(event!.seq) }, {
      token: await mintGatewayCredential(hub.keys.gateway, 'XK', token),
      headers: { [officerTokenHeader]: token },
      purpose: 'AUDIT',
      caseReference: null,
    });
    expect(codesOf(asked.errors ?? [])).toEqual(['PURPOSE_NOT_ALLOWED']);
    // Its entry says it was refused, and releases nothing.
    const atNode = (await entriesAt(xk, watcher.sub)).filter((entry) => entry.purpose === 'AUDIT');
    expect(atNode.map((entry) => [entry.outcome, entry.error_code, entry.records])).toEqual([['DENIED', 'PURPOSE_NOT_ALLOWED', []]]);
  });

  it('delivers a hit only to a subscriber working under its watch entry’s purpose and case, at what that purpose and the roles allow, both logs naming them', async () => {
    const investigated = uniquePlate();
    const checked = uniquePlate();
    const [one, colleague] = [officer('one', 'MK-BP-JAZHINCE'), officer('colleague', 'MK-BP-JAZHINCE')];
    // An XK record with both plates, which XK releases to MK in full for criminal investigations only.
    const seizure = await seize(investigated, checked);
    const policy = await hub.query('xk-border-officer', setPolicy, {
      id: seizure.id,
      input: { rules: [{ partnerAgency: 'MK', tier: 'FULL', purposes: ['CRIMINAL_INVESTIGATION'], expiresAt: inDays(30) }] },
    });
    expect(policy.errors).toBeUndefined();
    // Every officer of the unit under both purposes, then the two entries (retro hits), then one more record with both plates (live hits).
    const investigating = [await overSocket(one), await overSocket(colleague), await overSse(colleague)];
    const checking = [await overSocket(one, border), await overSse(colleague, border)];
    await placed(one, 2);
    await placed(colleague, 3);
    await watch(one, investigated, testPurpose);
    await watch(colleague, checked, border);
    const later = await seize(investigated, checked);

    for (const subscriber of investigating) {
      const hits = await subscriber.waitFor(2);
      expect(hits.map((hit) => hit.alert.id)).toEqual([seizure.id, later.id]);
      // The rule for criminal investigations gives the first record in full; the second has XK's default policy.
      expect(hits[0].alert).toMatchObject({ access: { tier: 'FULL', basis: 'POLICY', ...testPurpose }, personalData: { vehicles: expect.any(Array) } });
      expect(hits[1].alert).toMatchObject({ access: { tier: 'HIT', ...testPurpose }, personalData: null });
    }
    for (const subscriber of checking) {
      // Under BORDER_CHECK the first record is XK's rule for MK, which does not cover that purpose: NONE, no hit at all.
      // The second has the default policy: HIT, nothing personal.
      const hits = await subscriber.waitFor(1);
      expect(hits.map((hit) => hit.alert.id)).toEqual([later.id]);
      expect(hits[0].alert).toMatchObject({ access: { tier: 'HIT', basis: 'DEFAULT_POLICY', purpose: 'BORDER_CHECK', caseReference: null }, personalData: null });
    }
    // One more of the investigated plate: nothing came to anyone that was not theirs meanwhile.
    const last = await seize(investigated);
    for (const subscriber of investigating) expect((await subscriber.waitFor(3)).map((hit) => hit.alert.id)).toEqual([seizure.id, later.id, last.id]);
    for (const subscriber of checking) expect(subscriber.events).toHaveLength(1);

    // Every push: the gateway's entry and the owner's disclosure name the subscriber's purpose and case, and the same tier.
    const xk = hub.nodes.get('XK')!.database.name;
    for (const sub of [one.sub, colleague.sub]) {
      const pushes = await adminQuery(
        hub.hubDatabase.name,
        `select purpose, case_reference, records, (details->'delivery'->>'seq')::int as seq from audit.entry
          where actor_sub = $1 and kind = 'CONSULTATION' and details->>'subscription' = 'hits' and details ? 'delivery' order by seq`,
        [sub],
      );
      expect(pushes.length).toBe(sub === one.sub ? 4 : 7);
      for (const push of pushes) {
        const disclosures = await adminQuery(
          xk,
          `select purpose, case_reference, records from audit.entry where actor_sub = $1 and kind = 'DISCLOSURE' and (details->'delivery'->>'seq')::int = $2
              and purpose = $3 and case_reference is not distinct from $4`,
          [sub, push.seq, push.purpose, push.case_reference],
        );
        expect(disclosures.length, `disclosure of event ${push.seq} to ${sub} under ${push.purpose}`).toBeGreaterThan(0);
        expect(disclosures.map((entry) => entry.records[0].tier)).toContain(push.records[0].tier);
        expect(push.records[0].tier === 'FULL').toBe(push.purpose === 'CRIMINAL_INVESTIGATION' && push.records[0].id === seizure.localId);
      }
    }
  });

  it('refuses a cursor it did not issue for this very subscription: forged beyond the end, of another purpose, altered', async () => {
    const plate = uniquePlate();
    const watcher = officer('cursors', 'MK-FFP');
    await watch(watcher, plate);
    const first = await overSocket(watcher);
    await placed(watcher, 1);
    await seize(plate);
    const [hit] = await first.waitFor(1);
    const [payload, signature] = hit.cursor.split('.');
    const forged = (positions: Record<string, number>) => {
      const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      return `${Buffer.from(JSON.stringify({ ...decoded, p: positions })).toString('base64url')}.${signature}`;
    };
    const beyond = forged({ ...cursorPositions(hit.cursor), XK: 1_000_000 });
    // The unsigned form cursors had before.
    const unsigned = Buffer.from(JSON.stringify({ v: 1, p: { ...cursorPositions(hit.cursor), XK: 1_000_000 } })).toString('base64url');
    const refused = [
      await overSocket(watcher, testPurpose, { after: beyond }),
      await overSocket(watcher, testPurpose, { after: unsigned }),
      await overSocket(watcher, testPurpose, { after: `${payload}.${signature!.slice(1)}A` }),
      // A cursor of the same officer's subscription under another purpose would skip that purpose's hits.
      await overSocket(watcher, border, { after: hit.cursor }),
    ];
    for (const subscriber of refused) {
      await subscriber.ended;
      expect(codesOf(subscriber.graphqlErrors())).toEqual(['VALIDATION_FAILED']);
    }
    const sse = await overSse(watcher, testPurpose, { after: beyond });
    await sse.completed;
    expect(codesOf(sse.errors)).toEqual(['VALIDATION_FAILED']);
    const denials = await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from audit.entry where actor_sub = $1 and kind = 'DENIAL' and error_code = 'VALIDATION_FAILED'`, [
      watcher.sub,
    ]);
    expect(denials[0]!.n).toBe(5);
    // The genuine one resumes exactly after its hit.
    const next = await seize(plate);
    const resumed = await overSocket(watcher, testPurpose, { after: hit.cursor });
    expect((await resumed.waitFor(1)).map((resumedHit) => resumedHit.alert.id)).toEqual([next.id]);
  });

  it('ends the stream with the cursor of the last push delivered when a push cannot be logged, and passes nothing it did not deliver and log', async () => {
    const plate = uniquePlate();
    const watcher = officer('fail-closed', 'MK-FORENSIC');
    await watch(watcher, plate);
    const socket = await overSocket(watcher);
    const sse = await overSse(watcher);
    await placed(watcher, 2);
    const first = await seizeAtNode(plate);
    const [delivered] = await socket.waitFor(1);
    const [deliveredOverSse] = await sse.waitFor(1);
    expect([delivered.alert.localId, deliveredOverSse.alert.localId]).toEqual([first.id, first.id]);

    await adminQuery(hub.hubDatabase.name, 'revoke insert on audit.entry from hub_app');
    let second: { id: string };
    try {
      second = await seizeAtNode(plate);
      await socket.ended;
      await sse.completed;
    } finally {
      await adminQuery(hub.hubDatabase.name, 'grant insert on audit.entry to hub_app');
    }
    // Nothing of the second left without its entry; each stream ended, saying where to resume.
    for (const [subscriber, errors, last] of [
      [socket, socket.graphqlErrors(), delivered],
      [sse, sse.errors, deliveredOverSse],
    ] as const) {
      expect(subscriber.events.map((hit) => hit.alert.localId)).toEqual([first.id]);
      expect(codesOf(errors)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(errors[0]!.extensions!.cursor).toBe(last.cursor);
    }
    const third = await seizeAtNode(plate);
    const resumed = await overSocket(watcher, testPurpose, { after: socket.graphqlErrors()[0]!.extensions!.cursor });
    expect((await resumed.waitFor(2)).map((hit) => hit.alert.localId)).toEqual([second!.id, third.id]);
  });

  it('gives the hits of a JOINT_OPERATION watch entry to its members working in it, with the membership vouched, and ends no other subscription', async () => {
    const code = 'XK-MK-JO-2026-77';
    const inOperation = { purpose: 'JOINT_OPERATION', caseReference: code };
    const member = officer('member', 'MK-CRIM-FIREARMS');
    await enrolInJointOperation(hub, code, [member]);
    const [operationPlate, casePlate] = [uniquePlate(), uniquePlate()];
    await watch(member, operationPlate, inOperation);
    await watch(member, casePlate, testPurpose);
    const working = await overSocket(member, inOperation);
    const investigating = await overSocket(member, testPurpose);
    await waitUntil('both subscriptions in place', async () => (await subscriptionsOf(member.sub)) >= 2);

    const joint = [await seize(operationPlate), await seize(operationPlate)];
    const own = await seize(casePlate);
    const hits = await working.waitFor(2);
    expect(hits.map((hit) => hit.alert.id)).toEqual(joint.map((alert) => alert.id));
    for (const hit of hits) expect(hit.alert.access).toMatchObject({ purpose: 'JOINT_OPERATION', caseReference: code });
    expect((await investigating.waitFor(1)).map((hit) => hit.alert.id)).toEqual([own.id]);
    expect([...working.graphqlErrors(), ...investigating.graphqlErrors()]).toEqual([]);

    // Removed from the operation: the next push under it is refused and ends that stream only.
    await adminQuery(hub.hubDatabase.name, `update hub.operation_member set removed_at = now(), removed_by = 'test' where officer_sub = $1`, [member.sub]);
    await seize(operationPlate);
    await working.ended;
    expect(codesOf(working.graphqlErrors())).toEqual(['PURPOSE_NOT_ALLOWED']);
    expect(working.graphqlErrors()[0]!.extensions!.cursor).toBe(hits[1].cursor);
    expect(working.events).toHaveLength(2);
    const ownAgain = await seize(casePlate);
    expect((await investigating.waitFor(2)).map((hit) => hit.alert.id)).toEqual([own.id, ownAgain.id]);
    expect(investigating.graphqlErrors()).toEqual([]);
  });
});
