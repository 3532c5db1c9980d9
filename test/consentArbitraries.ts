// Generators of consent states for the property tests, and the one function
// that writes a generated state into an owner's database.
import fc from 'fast-check';
import { agreement } from '../src/consent/agreement.ts';
import { roles as allRoles, type Role } from '../src/identity/roles.ts';
import type { PrismaClient } from '../src/database/createPrismaClient.ts';
import type { AlertConsentFacts } from '../src/consent/decideAccess.ts';
import { tierOrder, type Scenario } from './consentOracle.ts';

const day = 24 * 3600 * 1000;
const minute = 60 * 1000;
export const purposeCodes = Object.keys(agreement.purposes);
export const caseReferences = ['XK-MK-2026-0042', 'MK-2026-77', null];
const operationalRoles = allRoles.filter((role) => agreement.roles[role].operational);

const tier = fc.constantFrom(...tierOrder);
/** How far from its expiry a rule or grant is, in minutes: from one minute to half a year, either side. */
const expiryDistance = fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 61, max: 260_000 }));

/** The consent state of one record: handling code, age, the owner's rule for the partner, grants. */
export const recordStateArbitrary = fc.record({
  handlingCode: fc.constantFrom('H0' as const, 'H1' as const, 'H2' as const, 'H3' as const),
  // Around the default policy's validity too: the day before, the day of and the day after it ends.
  ageDays: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 2 * agreement.defaultPolicy.validityDays }),
    fc.constantFrom(agreement.defaultPolicy.validityDays - 1, agreement.defaultPolicy.validityDays, agreement.defaultPolicy.validityDays + 1),
  ),
  rule: fc.option(
    fc.record({
      tier,
      purposes: fc.uniqueArray(fc.constantFrom(...purposeCodes), { maxLength: 5 }),
      expired: fc.boolean(),
      minutes: expiryDistance,
    }),
    { nil: null },
  ),
  grants: fc.array(
    fc.record({
      tier,
      purpose: fc.constantFrom(...purposeCodes),
      caseReference: fc.constantFrom(...caseReferences),
      expired: fc.boolean(),
      revoked: fc.boolean(),
      minutes: expiryDistance,
    }),
    { maxLength: 3 },
  ),
});
export type RecordState = Omit<Scenario, 'domestic' | 'roles' | 'purpose' | 'caseReference' | 'rule' | 'grants'> & {
  rule: (NonNullable<Scenario['rule']> & { minutes: number }) | null;
  grants: (Scenario['grants'][number] & { minutes: number })[];
};

/** Who asks, and for what: a caller of the owner's agency or of the partner, with operational roles. */
export const callerArbitrary = fc
  .record({
    domestic: fc.boolean(),
    roles: fc.uniqueArray(fc.constantFrom(...operationalRoles), { minLength: 1, maxLength: 3 }) as fc.Arbitrary<Role[]>,
    purpose: fc.constantFrom(...purposeCodes),
    caseReference: fc.constantFrom(...caseReferences),
  })
  // A purpose that needs a case reference cannot be declared without one.
  .map((caller) => ({
    ...caller,
    caseReference: agreement.purposes[caller.purpose]!.caseReferenceRequired ? (caller.caseReference ?? 'XK-MK-2026-0042') : caller.caseReference,
  }));
export type Caller = Pick<Scenario, 'domestic' | 'roles' | 'purpose' | 'caseReference'>;

/** What the owner said to one partner about an alert: its rule and its grants. */
export type PartnerConsent = Pick<RecordState, 'rule' | 'grants'>;

const expiryOf = (now: number, expired: boolean, minutes: number) => new Date(now + (expired ? -1 : 1) * minutes * minute);

/**
 * Writes a generated consent state of one alert into its owner's database,
 * as of `now`: the alert's age, handling code, the owner's rule for
 * `partner`, and grants to `partner`, replacing whatever was there; and, for
 * each of `others`, that partner's rule and grants.
 */
export async function writeRecordState(
  prisma: PrismaClient,
  alertId: string,
  partner: string,
  state: RecordState,
  now = Date.now(),
  others: Readonly<Record<string, PartnerConsent>> = {},
) {
  const expiry = (expired: boolean, minutes: number) => expiryOf(now, expired, minutes);
  const partners = Object.entries({ ...others, [partner]: state });
  await prisma.$transaction([
    prisma.sharingRule.deleteMany({ where: { alertId } }),
    prisma.consentGrant.deleteMany({ where: { alertId } }),
    prisma.alert.update({
      where: { id: alertId },
      data: {
        handlingCode: state.handlingCode,
        handlingConditions: state.handlingCode === 'H3' ? 'Not to be shown to customs.' : null,
        createdAt: new Date(now - state.ageDays * day),
      },
    }),
    ...partners.flatMap(([partnerAgency, { rule }]) =>
      rule
        ? [
            prisma.sharingRule.create({
              data: { alertId, partnerAgency, tier: rule.tier, purposes: rule.purposes, expiresAt: expiry(rule.expired, rule.minutes), setBy: 'property' },
            }),
          ]
        : [],
    ),
    ...partners.flatMap(([granteeAgency, { grants }]) =>
      grants.map((grant) =>
        prisma.consentGrant.create({
          data: {
            alertId,
            granteeAgency,
            tier: grant.tier,
            purpose: grant.purpose,
            caseReference: grant.caseReference,
            expiresAt: expiry(grant.expired, grant.minutes),
            grantedBy: 'property',
            ...(grant.revoked ? { revokedAt: new Date(now), revokedBy: 'property', revocationReason: 'property' } : {}),
          },
        }),
      ),
    ),
  ]);
}

/** The facts decideAccess decides on for one partner, as writeRecordState stores them for it as of `now`. */
export function consentFactsOf(owner: string, state: Pick<RecordState, 'handlingCode' | 'ageDays'>, consent: PartnerConsent | undefined, now: number): AlertConsentFacts {
  const rule = consent?.rule;
  return {
    owner,
    createdAt: new Date(now - state.ageDays * day),
    handlingCode: state.handlingCode,
    rule: rule ? { tier: rule.tier, purposes: rule.purposes, expiresAt: expiryOf(now, rule.expired, rule.minutes) } : null,
    grants: (consent?.grants ?? []).map((grant, index) => ({
      id: `grant-${index}`,
      tier: grant.tier,
      purpose: grant.purpose,
      caseReference: grant.caseReference,
      expiresAt: expiryOf(now, grant.expired, grant.minutes),
      revokedAt: grant.revoked ? new Date(now) : null,
    })),
  };
}
