import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../src/consent/agreement.ts';
import { demoUnits } from '../src/demo/demoData.ts';
import type { OfficerClaims } from '../src/identity/mintOfficerToken.ts';
import { callerArbitrary, recordStateArbitrary, writeRecordState, type RecordState } from './consentArbitraries.ts';
import { tierOrder } from './consentOracle.ts';
import { alertFields, alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, enrolInJointOperation, graphql, purposeHeaders, startTestHub, waitUntil, type TestHub } from './helpers.ts';
import { subscribe, subscribeOverSse } from './hitSubscriber.ts';

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
});
