import type { Prisma } from '../../generated/node/client.ts';
import { purposeOf, roleCap, type ExchangeAgreement } from '../../consent/agreement.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { tierRank, type Tier } from '../../consent/tier.ts';
import { days } from '../../domain/durations.ts';
import type { Officer } from '../../identity/officer.ts';

const nothing: Prisma.AlertWhereInput = { id: { in: [] } };

/** Tiers at or above a tier, as a filter on a tier column. */
const tiersFrom = (least: Tier) => ({ in: (['HIT', 'SUMMARY', 'FULL'] as const).filter((tier) => tierRank(tier) >= tierRank(least)) });

/**
 * The alerts decideAccess would release at `least` or above (HIT: every alert
 * that exists for the caller), under the same agreement, as a Prisma filter,
 * so that the choice of search hits is right without loading what the caller
 * may not see (lists and their counts decide in SQL: loadAlertRows.ts). It
 * states the same rule as decideAccess; test/consentEncodings.test.ts pins the
 * two together.
 */
export function releasedAtLeast(
  caller: Pick<Officer, 'agency' | 'roles'>,
  owner: string,
  purpose: DeclaredPurpose,
  now: Date,
  least: Exclude<Tier, 'NONE'>,
  agreement: ExchangeAgreement,
): Prisma.AlertWhereInput {
  const terms = purposeOf(purpose.code, agreement);
  if (!terms?.operational) return nothing;
  if (caller.agency === owner) return {};
  if (tierRank(terms.maxTier) < tierRank(least) || tierRank(roleCap(caller.roles, agreement)) < tierRank(least)) return nothing;

  const routes: Prisma.AlertWhereInput[] = [
    {
      sharingRules: {
        some: { partnerAgency: caller.agency, expiresAt: { gt: now }, purposes: { has: purpose.code }, tier: tiersFrom(least) },
      },
    },
    {
      consentGrants: {
        some: {
          granteeAgency: caller.agency,
          purpose: purpose.code,
          revokedAt: null,
          expiresAt: { gt: now },
          tier: tiersFrom(least),
          OR: [{ caseReference: null }, ...(purpose.caseReference ? [{ caseReference: purpose.caseReference }] : [])],
        },
      },
    },
  ];
  const policy = agreement.defaultPolicy;
  if (
    agreement.parties.includes(caller.agency) &&
    agreement.parties.includes(owner) &&
    tierRank(policy.tier) >= tierRank(least) &&
    policy.purposes.includes(purpose.code)
  ) {
    routes.push({
      sharingRules: { none: { partnerAgency: caller.agency } },
      handlingCode: { not: 'H2' },
      createdAt: { gt: new Date(now.getTime() - days(policy.validityDays)) },
    });
  }
  return { OR: routes };
}

/** The alerts that exist for the caller: released at HIT or above. */
export const alertsVisibleTo = (caller: Pick<Officer, 'agency' | 'roles'>, owner: string, purpose: DeclaredPurpose, now: Date, agreement: ExchangeAgreement) =>
  releasedAtLeast(caller, owner, purpose, now, 'HIT', agreement);
