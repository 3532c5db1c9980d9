import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../src/consent/agreement.ts';
import { demoUnits } from '../src/demo/demoData.ts';
import type { OfficerClaims } from '../src/identity/mintOfficerToken.ts';
import { roles as allRoles, type Role } from '../src/identity/roles.ts';
import { callerArbitrary, recordStateArbitrary, writeRecordState, type RecordState } from './consentArbitraries.ts';
import { tierOrder } from './consentOracle.ts';
import { alertFields, alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, enrolInJointOperation, graphql, purposeHeaders, startTestHub, waitUntil, type TestHub } from './helpers.ts';
import { consentEventsSubscription, subscribe, subscribeOverSse } from './hitSubscriber.ts';

// subscriptionProperty.test.ts's invariant, for alertShared: over generated
// subscribers (roles, purpose, case, transport), consent states before the
// change and changes of the owner's rule for the subscriber's agency (tier,
// purposes, an H2 lifted), made through the API as an owner's officer makes
// them: a push comes exactly when the subscriber sees the record higher than
// a plain query showed it before the change, it carries exactly what a plain
// `alert` query by the same officer gets at that moment, and it has its entry
// at the gateway and its disclosure at the owner under the same purpose, case
// and tier. A subscriber refused is refused as the plain query is.

const sharedDocument = /* GraphQL */ `subscription AlertShared($after: String) { alertShared(after: $after) { cursor cause alert { ${alertFields} } } }`;
const alertDocument = /* GraphQL */ `query Alert($id: ID!) { alert(id: $id) { ${alertFields} } }`;
const setPolicy = /* GraphQL */ `mutation Policy($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
const units = demoUnits.MK!.map((unit) => unit.code);
const operationalPurposes = Object.keys(agreement.purposes).filter((code) => agreement.purposes[code]!.operational);
const rank = (tier: string) => tierOrder.indexOf(tier as never);

/** A consent state whose expiries are at least ten minutes away, so that none passes during a run on a slow machine. */
const stateArbitrary = recordStateArbitrary.map(
  (state): RecordState => ({
    ...state,
    rule: state.rule && { ...state.rule, minutes: Math.max(state.rule.minutes, 10) },
    grants: state.grants.map((grant) => ({ ...grant, minutes: Math.max(grant.minutes, 10) })),
  }),
);

/** The owner's change: a rule for MK (replacing the one it had), and perhaps an H2 lifted. */
const changeArbitrary = fc.record({
  tier: fc.constantFrom('HIT', 'SUMMARY', 'FULL'),
  purposes: fc.subarray(operationalPurposes, { minLength: 1 }),
  lift: fc.boolean(),
});

describe('every alertShared push is a plain request (property)', () => {
  let hub: TestHub;
  let xk: string;
  let run = 0;
  const disposers: (() => unknown)[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ nodeTimeoutMs: 10_000, gateway: { feedWaitMs: 1_000, subscriptionPollMs: 500, maxConnectionsPerOfficer: 1_000 } });
    xk = hub.nodes.get('XK')!.database.name;
  });
  afterAll(async () => {
    for (const dispose of disposers) await dispose();
    await hub?.[Symbol.asyncDispose]();
  });

  it('pushes a record exactly when the subscriber gains, with what a plain query gets then, logged at both ends under the same purpose and case', async () => {
    const xkPrisma = hub.nodes.get('XK')!.prisma;
    const seen = { refused: 0, pushed: 0, withheld: 0, noEvent: 0 };
    await fc.assert(
      fc.asyncProperty(callerArbitrary, stateArbitrary, changeArbitrary, fc.constantFrom('socket' as const, 'sse' as const), async (caller, before, change, transport) => {
        const n = ++run;
        const subscriber: OfficerClaims = { sub: `mk.shareprop.${n}`, agency: 'MK', unit: units[n % units.length]!, roles: caller.roles };
        const purpose = { purpose: caller.purpose, caseReference: caller.caseReference };
        if (caller.purpose === 'JOINT_OPERATION') await enrolInJointOperation(hub, caller.caseReference!, [subscriber]);
        const token = await hub.token(subscriber);
        const open = () => {
          if (transport === 'socket') {
            const socket = subscribe(hub.gatewayUrl, { authorization: `Bearer ${token}`, ...purpose }, sharedDocument);
            disposers.push(() => socket.dispose());
            return { events: socket.events, errors: () => socket.graphqlErrors(), ended: socket.ended, waitFor: socket.waitFor };
          }
          const stream = subscribeOverSse(hub.gatewayUrl, { authorization: `Bearer ${token}`, ...purposeHeaders(purpose) }, sharedDocument);
          disposers.push(() => stream.dispose());
          return { events: stream.events, errors: () => stream.errors, ended: stream.completed, waitFor: stream.waitFor };
        };
        const seized = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: `Shared property ${n}` }) });
        expect(seized.errors).toBeUndefined();
        const record = seized.data!.createAlert as { id: string; localId: string };
        await writeRecordState(xkPrisma, record.localId, 'MK', before);
        /** What a plain `alert` query by the subscriber, under its purpose and case, gets of the record now. */
        const plain = async () => {
          const result = await graphql(hub.gatewayUrl, alertDocument, { id: record.id }, { token, ...purpose });
          return { codes: codes(result), alert: (result.data?.alert ?? null) as any };
        };

        const was = await plain();
        if (was.codes.length) {
          // Refused when subscribed, exactly as the plain query is.
          const refused = open();
          await refused.ended;
          expect(codes({ errors: refused.errors() } as never)).toEqual(was.codes);
          expect(refused.events).toEqual([]);
          seen.refused++;
          return;
        }
        const tierBefore = was.alert?.access.tier ?? 'NONE';
        const live = open();
        await waitUntil(`subscription of ${subscriber.sub} in place`, async () => {
          const [row] = await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from audit.entry where actor_sub = $1 and details ? 'from'`, [subscriber.sub]);
          return row!.n >= 1;
        });

        const changed = await hub.query('xk-border-officer', setPolicy, {
          id: record.id,
          input: {
            rules: [{ partnerAgency: 'MK', tier: change.tier, purposes: change.purposes, expiresAt: inDays(30) }],
            ...(change.lift && before.handlingCode === 'H2' ? { handlingCode: 'H0' } : {}),
          },
        });
        expect(changed.errors).toBeUndefined();
        const now = await plain();
        const tierNow = now.alert?.access.tier ?? 'NONE';
        const events = await adminQuery<{ seq: number }>(xk, `select seq::int from node.event where kind = 'ALERT_SHARED' and alert_id = $1`, [record.localId]);
        if (events.length === 0) {
          // No officer of MK gains anything: neither does this one.
          expect(rank(tierNow)).toBeLessThanOrEqual(rank(tierBefore));
          seen.noEvent++;
          return;
        }
        expect(events).toHaveLength(1);
        const seq = events[0]!.seq;
        // The owner decided this subscriber's delivery (delivered or withheld) and logged it.
        const [decided] = await waitUntil(`the owner's decision on event ${seq} for ${subscriber.sub}`, async () => {
          const rows = await adminQuery(
            xk,
            `select kind, purpose, case_reference, records, details from audit.entry where actor_sub = $1
                and ((details->'delivery'->>'seq')::int = $2 or (details->'withheld'->>'seq')::int = $2)`,
            [subscriber.sub, seq],
          );
          return rows.length ? rows : null;
        });
        if (rank(tierNow) > rank(tierBefore)) {
          const [pushed] = await live.waitFor(1);
          expect(live.errors()).toEqual([]);
          const { cursor: _cursor, cause, alert } = pushed;
          expect(cause).toBe('SHARING_POLICY');
          expect(alert).toEqual(now.alert);
          expect([decided!.kind, decided!.purpose, decided!.case_reference, decided!.records[0].tier]).toEqual(['DISCLOSURE', caller.purpose, caller.caseReference, tierNow]);
          const entries = await adminQuery(
            hub.hubDatabase.name,
            `select purpose, case_reference, records from audit.entry where actor_sub = $1 and kind = 'CONSULTATION' and details->>'subscription' = 'alertShared' and (details->'delivery'->>'seq')::int = $2`,
            [subscriber.sub, seq],
          );
          expect(entries.map((entry) => [entry.purpose, entry.case_reference, entry.records[0].tier])).toEqual([[caller.purpose, caller.caseReference, tierNow]]);
          seen.pushed++;
        } else {
          expect(decided!.details.withheld).toMatchObject({ kind: 'ALERT_SHARED', seq });
          const entries = await adminQuery(hub.hubDatabase.name, `select 1 from audit.entry where actor_sub = $1 and (details->'delivery'->>'seq')::int = $2`, [subscriber.sub, seq]);
          expect(entries).toEqual([]);
          expect(live.events).toEqual([]);
          seen.withheld++;
        }
      }),
      { seed: 20261205, numRuns: 20, endOnFailure: true },
    );
    // The generator reaches every side.
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.pushed).toBeGreaterThan(0);
    expect(seen.withheld + seen.noEvent).toBeGreaterThan(0);
  }, 600_000);

  // consentEvents: over generated officers of the owner (any roles, the
  // auditor's too, any purpose and case), the request to the owner's record
  // reaches exactly those whose plain consentRequests(INCOMING) lists it, as it
  // lists it; one refused is refused as that query is; each push is logged at
  // both ends under the same purpose and case.
  it('pushes an incoming request exactly to the officers of the owner whose plain consentRequests lists it, as it lists it', async () => {
    const incoming = /* GraphQL */ `
      query Incoming { consentRequests(first: 50, filter: { direction: INCOMING }) {
        edges { node { id alertId alertReference createdAt status tier dueAt overdue requestingAgency requestingUnit decisionReason grant { id tier expiresAt revokedAt } } }
      } }`;
    const seen = { refused: 0, pushed: 0, notListed: 0 };
    const ownerCaller = fc.record({
      roles: fc.uniqueArray(fc.constantFrom(...allRoles), { minLength: 1, maxLength: 3 }) as fc.Arbitrary<Role[]>,
      purpose: fc.constantFrom(...Object.keys(agreement.purposes).filter((code) => code !== 'JOINT_OPERATION')),
      caseReference: fc.constantFrom('XK-MK-2026-0042', null),
    });
    await fc.assert(
      fc.asyncProperty(ownerCaller, fc.constantFrom('socket' as const, 'sse' as const), async (caller, transport) => {
        const n = ++run;
        const officer: OfficerClaims = { sub: `xk.consentprop.${n}`, agency: 'XK', unit: 'XK-DUTY', roles: caller.roles };
        const purpose = { purpose: caller.purpose, caseReference: agreement.purposes[caller.purpose]!.caseReferenceRequired ? (caller.caseReference ?? 'XK-MK-2026-0042') : caller.caseReference };
        const token = await hub.token(officer);
        const listed = async () => {
          const result = await graphql(hub.gatewayUrl, incoming, {}, { token, ...purpose });
          return { codes: codes(result), result };
        };
        const stream =
          transport === 'socket'
            ? (() => {
                const socket = subscribe(hub.gatewayUrl, { authorization: `Bearer ${token}`, ...purpose }, consentEventsSubscription);
                disposers.push(() => socket.dispose());
                return { events: socket.events, errors: () => socket.graphqlErrors(), ended: socket.ended, waitFor: socket.waitFor };
              })()
            : (() => {
                const sse = subscribeOverSse(hub.gatewayUrl, { authorization: `Bearer ${token}`, ...purposeHeaders(purpose) }, consentEventsSubscription);
                disposers.push(() => sse.dispose());
                return { events: sse.events, errors: () => sse.errors, ended: sse.completed, waitFor: sse.waitFor };
              })();
        // What the same officer may ask over HTTP under this purpose at all (its own outgoing requests): refused, the subscription is refused alike.
        const outgoing = await graphql(hub.gatewayUrl, `query { consentRequests(first: 1, filter: { direction: OUTGOING }) { totalCount } }`, {}, { token, ...purpose });
        const before = { codes: codes(outgoing) };
        if (before.codes.length) {
          await stream.ended;
          expect(codes({ errors: stream.errors() } as never)).toEqual(before.codes);
          seen.refused++;
          return;
        }
        await waitUntil(`subscription of ${officer.sub} in place`, async () => {
          const [row] = await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from audit.entry where actor_sub = $1 and details ? 'from'`, [officer.sub]);
          return row!.n >= 1 || stream.errors().length > 0;
        });
        expect(stream.errors()).toEqual([]);
        const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: `Consent property ${n}` }) });
        const asked = await hub.query('mk-border-officer', `mutation($input: ConsentRequestInput!) { requestConsent(input: $input) { id } }`, {
          input: { alertId: created.data!.createAlert.id, tier: 'FULL', justification: 'Property: a suspect in our case.' },
        });
        expect(asked.errors).toBeUndefined();
        const requestId = asked.data!.requestConsent.id as string;
        const after = await listed();
        // Refused to an officer who does not decide consent (FORBIDDEN from the owner): then it lists nothing.
        const plain = (after.result.data?.consentRequests?.edges ?? []).map((edge: any) => edge.node).find((node: any) => node.id === requestId) ?? null;
        expect(plain === null).toBe(after.codes.length > 0);
        const [event] = await adminQuery<{ seq: number }>(xk, `select seq::int from node.event where kind = 'CONSENT_REQUESTED' order by seq desc limit 1`);
        // A subscriber whose roles do not decide consent does not even listen to the agency's events: the hub's feed at the event tells that nothing comes.
        await waitUntil(`XK's event ${event!.seq} in the hub's feed`, async () => {
          const [position] = await adminQuery(hub.hubDatabase.name, `select seq::int from hub.feed_position where source = 'XK'`);
          return (position?.seq ?? 0) >= event!.seq;
        });
        if (plain) {
          const [pushed] = await stream.waitFor(1);
          expect(pushed).toMatchObject({ kind: 'CONSENT_REQUESTED', request: plain });
          const entries = await adminQuery(
            hub.hubDatabase.name,
            `select purpose, case_reference from audit.entry where actor_sub = $1 and details->>'subscription' = 'consentEvents' and (details->'delivery'->>'seq')::int = $2`,
            [officer.sub, event!.seq],
          );
          const disclosures = await adminQuery(xk, `select purpose, case_reference from audit.entry where actor_sub = $1 and (details->'delivery'->>'seq')::int = $2`, [officer.sub, event!.seq]);
          expect(entries).toEqual([{ purpose: purpose.purpose, case_reference: purpose.caseReference }]);
          expect(disclosures).toEqual(entries);
          seen.pushed++;
        } else {
          // Not listed: the owner's node gives it nothing (asked or not), so nothing is pushed after the feed took it.
          await waitUntil(`no delivery to ${officer.sub} pending`, async () => {
            const rows = await adminQuery(xk, `select 1 from audit.entry where actor_sub = $1 and (details->'delivery'->>'seq')::int = $2`, [officer.sub, event!.seq]);
            return rows.length === 0;
          });
          expect(stream.events).toEqual([]);
          seen.notListed++;
        }
      }),
      { seed: 20261205, numRuns: 16, endOnFailure: true },
    );
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.pushed).toBeGreaterThan(0);
    expect(seen.notListed).toBeGreaterThan(0);
  }, 600_000);
});
