import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../src/consent/agreement.ts';
import { roles as allRoles, type Role } from '../src/identity/roles.ts';
import { expectedTier, fieldsAt, tierOrder, type Scenario } from './consentOracle.ts';
import { alertFields, alertInput, createAlertMutation } from './fixtures.ts';
import { codes, graphql, startTestHub, type TestHub } from './helpers.ts';

// Generated policies, grants and queries against the running hub: whatever
// the owner said and whoever asks, no response carries a field above the
// caller's tier, and every field at or below it is there.

let hub: TestHub;
let alertId: string;
let localId: string;
const day = 24 * 3600 * 1000;
const purposeCodes = Object.keys(agreement.purposes);
const caseReferences = ['XK-MK-2026-0042', 'MK-2026-77', null];
const operational = allRoles.filter((role) => agreement.roles[role].operational);

beforeAll(async () => {
  hub = await startTestHub();
  const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  alertId = created.data!.createAlert.id;
  localId = created.data!.createAlert.localId;
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const tier = fc.constantFrom(...tierOrder);
const scenarioArbitrary = fc.record({
  domestic: fc.boolean(),
  roles: fc.uniqueArray(fc.constantFrom(...operational), { minLength: 1, maxLength: 3 }) as fc.Arbitrary<Role[]>,
  purpose: fc.constantFrom(...purposeCodes),
  caseReference: fc.constantFrom(...caseReferences),
  handlingCode: fc.constantFrom('H0' as const, 'H1' as const, 'H2' as const, 'H3' as const),
  ageDays: fc.constant(0),
  rule: fc.option(
    fc.record({ tier, purposes: fc.uniqueArray(fc.constantFrom(...purposeCodes), { maxLength: 5 }), expired: fc.boolean() }),
    { nil: null },
  ),
  grants: fc.array(
    fc.record({
      tier,
      purpose: fc.constantFrom(...purposeCodes),
      caseReference: fc.constantFrom(...caseReferences),
      expired: fc.boolean(),
      revoked: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
});

describe('consent invariant (property)', () => {
  it('never releases a field above the effective tier, and always every field at or below it', async () => {
    const prisma = hub.nodes.get('XK')!.prisma;
    let hidden = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario: Scenario) => {
        // A purpose that needs a case reference cannot be declared without one.
        const caseReference = agreement.purposes[scenario.purpose]!.caseReferenceRequired ? (scenario.caseReference ?? 'XK-MK-2026-0042') : scenario.caseReference;
        const s = { ...scenario, caseReference };
        await prisma.$transaction([
          prisma.sharingRule.deleteMany({ where: { alertId: localId } }),
          prisma.consentGrant.deleteMany({ where: { alertId: localId } }),
          prisma.alert.update({
            where: { id: localId },
            data: { handlingCode: s.handlingCode, handlingConditions: s.handlingCode === 'H3' ? 'Not to be shown to customs.' : null },
          }),
          ...(s.rule
            ? [
                prisma.sharingRule.create({
                  data: {
                    alertId: localId,
                    partnerAgency: 'MK',
                    tier: s.rule.tier,
                    purposes: s.rule.purposes,
                    expiresAt: new Date(Date.now() + (s.rule.expired ? -day : day)),
                    setBy: 'property',
                  },
                }),
              ]
            : []),
          ...s.grants.map((grant) =>
            prisma.consentGrant.create({
              data: {
                alertId: localId,
                granteeAgency: 'MK',
                tier: grant.tier,
                purpose: grant.purpose,
                caseReference: grant.caseReference,
                expiresAt: new Date(Date.now() + (grant.expired ? -day : day)),
                grantedBy: 'property',
                ...(grant.revoked ? { revokedAt: new Date(), revokedBy: 'property', revocationReason: 'property' } : {}),
              },
            }),
          ),
        ]);
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
    // The generator reaches both sides of the invariant.
    expect(hidden).toBeGreaterThan(25);
    expect(hidden).toBeLessThan(475);
  }, 300_000);
});
