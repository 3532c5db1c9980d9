import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../src/consent/agreement.ts';
import { demoUnits } from '../src/demo/demoData.ts';
import type { OfficerClaims } from '../src/identity/mintOfficerToken.ts';
import { roles as allRoles } from '../src/identity/roles.ts';
import { callerArbitrary, caseReferences, recordStateArbitrary, writeRecordState, type RecordState } from './consentArbitraries.ts';
import { expectedTier, tierOrder } from './consentOracle.ts';
import { alertFields, alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, enrolInJointOperation, graphql, purposeHeaders, startTestHub, waitUntil, type TestHub } from './helpers.ts';
import { subscribe, subscribeOverSse } from './hitSubscriber.ts';

// Issue 17's invariant of real time, over generated subscribers (roles,
// purpose, case, transport) and consent changes (the owner's rule, grants,
// revocations, expiries, handling codes, ages, and operation releases — the
// grants under JOINT_OPERATION for an operation's code that a release writes
// at the owner), applied before the hit and again between the hit and its
// delivery (the subscriber resumes from a cursor after the change): every
// push carries exactly what a plain search by the same officer, under the
// same purpose and case, gets at that moment — so never more — and every push
// has its consultation entry at the gateway and its disclosure at the owner,
// naming the same purpose, case and tier.

const hitFields = `cursor matchedOn match score alert { ${alertFields} }`;
const hitsDocument = /* GraphQL */ `subscription Hits($after: String) { hits(after: $after) { ${hitFields} } }`;
const searchDocument = /* GraphQL */ `query Search($plate: String!) { search(input: { plate: $plate }) { agency { code } hits { matchedOn match score alert { ${alertFields} } } } }`;
const createWatch = /* GraphQL */ `mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
const car = (plate: string) => ({ firearms: [], subjects: [], vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK' }] });
const markerPlate = 'SP-MARK-1';
const units = demoUnits.MK!.map((unit) => unit.code);

/** A subscriber: often with one role alone, so that the roles below the purpose's ceiling (analyst, admin) are met as often as the others. */
const subscriberArbitrary = fc
  .record({ caller: callerArbitrary, alone: fc.option(fc.constantFrom(...allRoles.filter((role) => agreement.roles[role].operational)), { freq: 2 }) })
  .map(({ caller, alone }) => (alone ? { ...caller, roles: [alone] } : caller));

/** A consent state whose expiries are at least ten minutes away, so that none passes during a run on a slow machine. */
const stateArbitrary = fc
  .record({ state: recordStateArbitrary, release: fc.option(fc.record({ tier: fc.constantFrom(...tierOrder), code: fc.constantFrom(...caseReferences.filter((code) => code !== null)) }), { nil: null }) })
  .map(({ state, release }): RecordState => {
    const grants = release ? [...state.grants, { tier: release.tier, purpose: 'JOINT_OPERATION', caseReference: release.code, expired: false, revoked: false, minutes: 60 * 24 * 30 }] : state.grants;
    return {
      ...state,
      rule: state.rule && { ...state.rule, minutes: Math.max(state.rule.minutes, 10) },
      grants: grants.map((grant) => ({ ...grant, minutes: Math.max(grant.minutes, 10) })),
    };
  });

describe('every push is a plain request (property)', () => {
  let hub: TestHub;
  let xk: string;
  let marker: string;
  let run = 0;
  const disposers: (() => unknown)[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ nodeTimeoutMs: 10_000, gateway: { feedWaitMs: 1_000, subscriptionPollMs: 500, maxConnectionsPerOfficer: 1_000 } });
    xk = hub.nodes.get('XK')!.database.name;
    // A record every operational purpose and role sees at HIT (XK's default policy): its hits mark where a run's pushes begin and end.
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput(car(markerPlate)) });
    expect(created.errors).toBeUndefined();
    marker = created.data!.createAlert.id;
  });
  afterAll(async () => {
    for (const dispose of disposers) await dispose();
    await hub?.[Symbol.asyncDispose]();
  });

  it('pushes what a plain search by the same officer gets at that moment, each push logged at the gateway and the owner under the same purpose and case', async () => {
    const xkPrisma = hub.nodes.get('XK')!.prisma;
    const seen = { refused: 0, delivered: 0, withheld: 0, changedBetween: 0, heldDownByRoles: 0 };
    await fc.assert(
      fc.asyncProperty(subscriberArbitrary, stateArbitrary, stateArbitrary, fc.constantFrom('socket' as const, 'sse' as const), async (caller, before, after, transport) => {
        const n = ++run;
        const unit = units[n % units.length]!;
        const subscriber: OfficerClaims = { sub: `mk.subprop.${n}`, agency: 'MK', unit, roles: caller.roles };
        const watcher: OfficerClaims = { sub: `mk.subprop.watcher.${n}`, agency: 'MK', unit, roles: ['officer'] };
        const purpose = { purpose: caller.purpose, caseReference: caller.caseReference };
        if (caller.purpose === 'JOINT_OPERATION') await enrolInJointOperation(hub, caller.caseReference!, [subscriber, watcher]);
        const token = await hub.token(subscriber);
        const open = (variables: Record<string, unknown>) => {
          if (transport === 'socket') {
            const socket = subscribe(hub.gatewayUrl, { authorization: `Bearer ${token}`, ...purpose }, hitsDocument, variables);
            disposers.push(() => socket.dispose());
            return { events: socket.events, errors: () => socket.graphqlErrors(), ended: socket.ended, waitFor: socket.waitFor, dispose: () => socket.dispose() };
          }
          const stream = subscribeOverSse(hub.gatewayUrl, { authorization: `Bearer ${token}`, ...purposeHeaders(purpose) }, hitsDocument, variables);
          disposers.push(() => stream.dispose());
          return { events: stream.events, errors: () => stream.errors, ended: stream.completed, waitFor: stream.waitFor, dispose: async () => stream.dispose() };
        };
        /** What a plain search by the subscriber, under its purpose and case, gets of the record now. */
        const plainSearch = async (plate: string) => {
          const result = await graphql(hub.gatewayUrl, searchDocument, { plate }, { token, ...purpose });
          return { codes: codes(result), hits: (result.data?.search ?? []).flatMap((agency: { hits: unknown[] }) => agency.hits) as any[] };
        };
        const plate = `SP-${n}-${process.pid % 100}`;

        if (!agreement.purposes[caller.purpose]!.operational) {
          // Refused when subscribed, exactly as the plain request is.
          const refusal = (await plainSearch(plate)).codes;
          expect(refusal).toEqual(['PURPOSE_NOT_ALLOWED']);
          const refused = open({});
          await refused.ended;
          expect(codes({ errors: refused.errors() } as never)).toEqual(refusal);
          expect(refused.events).toEqual([]);
          seen.refused++;
          return;
        }

        const seized = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput(car(plate)) });
        expect(seized.errors).toBeUndefined();
        const record = seized.data!.createAlert as { id: string; localId: string };
        await writeRecordState(xkPrisma, record.localId, 'MK', before);

        const live = open({});
        await waitUntil(`subscription of ${subscriber.sub} in place`, async () => {
          const [row] = await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from audit.entry where actor_sub = $1 and details ? 'from'`, [subscriber.sub]);
          return row!.n >= 1;
        });
        const watch = async (watched: string, under: { purpose: string; caseReference: string | null }) => {
          const created = await graphql(hub.gatewayUrl, createWatch, { input: { plate: watched, plateCountry: 'XK', expiresAt: inDays(30) } }, { token: await hub.token(watcher), ...under });
          expect(created.errors).toBeUndefined();
        };
        // Marker, the record under the subscriber's purpose, the record under another purpose (not the subscriber's), marker: their retro hits in that order.
        await watch(markerPlate, purpose);
        await watch(plate, purpose);
        await watch(plate, caller.purpose === 'BORDER_CHECK' ? { purpose: 'RISK_ANALYSIS', caseReference: null } : { purpose: 'BORDER_CHECK', caseReference: null });
        await watch(markerPlate, purpose);

        /** The pushes up to the `count`th marker hit, once it has come. */
        const untilMarker = async (subscription: ReturnType<typeof open>, count: number) => {
          const markers = () => subscription.events.flatMap((hit, index) => (hit.alert.id === marker ? [index] : []));
          await waitUntil(`${count} marker hits for ${subscriber.sub}`, async () => markers().length >= count || subscription.errors().length > 0);
          expect(subscription.errors()).toEqual([]);
          return subscription.events.slice(0, markers()[count - 1]! + 1);
        };
        /**
         * The record's pushes before the last marker: one exactly when the hit
         * exists (the watcher saw the record when it was matched) and the
         * subscriber sees it now, at the tier the agreement gives, and what a
         * plain search by the subscriber gets of it at this moment.
         */
        const check = async (pushes: any[], state: RecordState, hitExists: boolean) => {
          const ofRecord = pushes.slice(0, -1);
          const tier = expectedTier({ ...state, ...caller, domestic: false });
          expect(ofRecord.map((hit) => hit.alert.access.tier)).toEqual(hitExists && tier !== 'NONE' ? [tier] : []);
          const plain = await plainSearch(plate);
          expect(plain.codes).toEqual([]);
          const searched = plain.hits.filter((hit) => hit.alert.id === record.id);
          expect(searched.map((hit) => hit.alert.access.tier)).toEqual(tier === 'NONE' ? [] : [tier]);
          if (ofRecord.length) expect(ofRecord.map(({ cursor: _cursor, ...hit }) => hit)).toEqual(searched);
          return ofRecord.map((hit) => hit.alert.access.tier as string);
        };
        const phaseOne = await untilMarker(live, 2);
        expect(phaseOne[0].alert.id).toBe(marker);
        // Matched under the watcher's roles (operational, at most FULL): the hit exists when the record was visible to the entry then.
        const hitExists = expectedTier({ ...before, ...caller, roles: ['officer'], domestic: false }) !== 'NONE';
        const firstTiers = await check(phaseOne.slice(1), before, hitExists);
        await live.dispose();

        // The owner changes its consent between the hit and its delivery: the subscriber resumes after the first marker.
        await writeRecordState(xkPrisma, record.localId, 'MK', after);
        const resumed = open({ after: phaseOne[0].cursor });
        const phaseTwo = await untilMarker(resumed, 1);
        const secondTiers = await check(phaseTwo, after, hitExists);
        await resumed.dispose();
        seen[firstTiers.length + secondTiers.length > 0 ? 'delivered' : 'withheld']++;
        // A push to a subscriber whose roles allow less than the purpose does (its ceiling is the roles', not the watcher's).
        const rolesCeiling = Math.max(...caller.roles.map((role) => tierOrder.indexOf(agreement.roles[role].maxPartnerTier as never)));
        if (firstTiers.length + secondTiers.length > 0 && rolesCeiling < tierOrder.indexOf(agreement.purposes[caller.purpose]!.maxTier as never)) seen.heldDownByRoles++;
        if (JSON.stringify(firstTiers) !== JSON.stringify(secondTiers)) seen.changedBetween++;

        // Every push has its gateway entry and its disclosure at the owner: the subscriber's purpose and case, the same tier.
        const pushed = [...phaseOne, ...phaseTwo];
        const entries = await adminQuery(
          hub.hubDatabase.name,
          `select purpose, case_reference, records, (details->'delivery'->>'seq')::int as seq from audit.entry e
            where actor_sub = $1 and kind = 'CONSULTATION' and details->>'subscription' = 'hits' and details ? 'delivery' order by e.seq`,
          [subscriber.sub],
        );
        expect(entries.map((entry) => [entry.records[0].tier, entry.purpose, entry.case_reference])).toEqual(
          pushed.map((hit) => [hit.alert.access.tier, caller.purpose, caller.caseReference]),
        );
        const disclosures = await adminQuery(
          xk,
          `select purpose, case_reference, records, (details->'delivery'->>'seq')::int as seq from audit.entry
            where actor_sub = $1 and kind = 'DISCLOSURE' and operation = 'query DeliverHit'`,
          [subscriber.sub],
        );
        for (const entry of entries) {
          expect(disclosures.filter((disclosure) => disclosure.seq === entry.seq).map((disclosure) => [disclosure.purpose, disclosure.case_reference, disclosure.records[0]?.tier])).toContainEqual([
            entry.purpose,
            entry.case_reference,
            entry.records[0].tier,
          ]);
        }
        // The owner was asked nothing under any other purpose or case for this subscriber.
        expect(disclosures.filter((disclosure) => disclosure.purpose !== caller.purpose || disclosure.case_reference !== caller.caseReference)).toEqual([]);
      }),
      { seed: 20261205, numRuns: 24, endOnFailure: true },
    );
    // The generator reaches every side: refused subscriptions, records delivered and withheld, a change between hit and delivery that shows.
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.delivered).toBeGreaterThan(0);
    expect(seen.withheld).toBeGreaterThan(0);
    expect(seen.changedBetween).toBeGreaterThan(0);
    expect(seen.heldDownByRoles).toBeGreaterThan(0);
  }, 600_000);
});
