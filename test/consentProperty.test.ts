import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../src/consent/agreement.ts';
import { callerArbitrary, caseReferences, recordStateArbitrary, writeRecordState } from './consentArbitraries.ts';
import { expectedTier, fieldsAt } from './consentOracle.ts';
import { alertFields, alertInput, createAlertMutation } from './fixtures.ts';
import { codes, enrolInJointOperation, graphql, startTestHub, type TestHub } from './helpers.ts';

// Generated policies, grants, ages, expiries and queries against the running
// hub: whatever the owner said and whoever asks, no response carries a field
// above the caller's tier, and every field at or below it is there. The node
// decides single records in code (decideAccess) and lists in SQL
// (visibility.ts): alert(id) and alerts must agree with the oracle alike.

let hub: TestHub;
let alertId: string;
let localId: string;

beforeAll(async () => {
  hub = await startTestHub();
  // The callers may declare JOINT_OPERATION with either case reference: they are members of both operations.
  for (const code of caseReferences.filter((reference) => reference !== null)) {
    await enrolInJointOperation(hub, code, ['XK', 'MK'].map((agency) => ({ sub: `${agency}.property`, agency, unit: `${agency}-DUTY` })));
  }
  const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  alertId = created.data!.createAlert.id;
  localId = created.data!.createAlert.localId;
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('consent invariant (property)', () => {
  it('never releases a field above the effective tier, and always every field at or below it', async () => {
    const prisma = hub.nodes.get('XK')!.prisma;
    let hidden = 0;
    let agedOut = 0;
    await fc.assert(
      fc.asyncProperty(recordStateArbitrary, callerArbitrary, async (state, caller) => {
        await writeRecordState(prisma, localId, 'MK', state);
        const s = { ...state, ...caller };
        const agency = s.domestic ? 'XK' : 'MK';
        const token = await hub.token({ sub: `${agency}.property`, agency, unit: `${agency}-DUTY`, roles: s.roles });
        const options = { token, purpose: s.purpose, caseReference: s.caseReference };
        const [one, list] = await Promise.all([
          graphql(hub.gatewayUrl, `query($id: ID!) { alert(id: $id) { ${alertFields} } }`, { id: alertId }, options),
          graphql(hub.gatewayUrl, `{ alerts(first: 50, agencies: ["XK"]) { totalCount edges { node { ${alertFields} } } } }`, {}, options),
        ]);
        // A supervision purpose is refused outright: nothing is released, whatever the consent says.
        const refused = agreement.purposes[s.purpose]!.operational ? [] : ['PURPOSE_NOT_ALLOWED'];
        expect(codes(one)).toEqual(refused);
        expect(codes(list)).toEqual(refused);
        const expected = expectedTier(s);
        if (!s.domestic && !s.rule && s.ageDays >= agreement.defaultPolicy.validityDays) agedOut++;
        const listed = (list.data?.alerts.edges ?? []).map((edge: { node: Record<string, unknown> }) => edge.node);
        if (expected === 'NONE') {
          hidden++;
          expect(one.data?.alert ?? null).toBeNull();
          expect(listed).toEqual([]);
          expect(list.data?.alerts.totalCount ?? 0).toBe(0);
          return;
        }
        expect(listed).toHaveLength(1);
        for (const response of [one.data!.alert, listed[0]]) {
          expect(response.access.tier).toBe(expected);
          const { present, absent } = fieldsAt(expected);
          for (const field of present.filter((name) => name in response)) expect(response[field], field).not.toBeNull();
          for (const field of absent) expect(response[field], field).toBeNull();
        }
      }),
      { seed: 20261123, numRuns: 500 },
    );
    // The generator reaches both sides of the invariant, and records past the default policy's validity.
    expect(hidden).toBeGreaterThan(25);
    expect(hidden).toBeLessThan(475);
    expect(agedOut).toBeGreaterThan(10);
  }, 300_000);
});
