import type { Prisma } from '../../generated/node/client.ts';
import { agreement, purposeOf, roleCap } from '../../consent/agreement.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { tierRank, type Tier } from '../../consent/tier.ts';
import type { Officer } from '../../identity/officer.ts';

const days = (count: number) => count * 24 * 3600 * 1000;
const nothing: Prisma.AlertWhereInput = { id: { in: [] } };

/** Tiers at or above a tier, as a filter on a tier column. */
const tiersFrom = (least: Tier) => ({ in: (['HIT', 'SUMMARY', 'FULL'] as const).filter((tier) => tierRank(tier) >= tierRank(least)) });

/**
 * The alerts decideAccess would release at `least` or above (HIT: every alert
 * that exists for the caller), as a database filter, so that lists, counts
 * and filters are right without loading what the caller may not see. It
 * states the same rule as decideAccess; the consent property tests check that
 * the two never disagree.
 */
export function releasedAtLeast(
  caller: Pick<Officer, 'agency' | 'roles'>,
  owner: string,
  purpose: DeclaredPurpose,
  now: Date,
  least: Exclude<Tier, 'NONE'> = 'HIT',
): Prisma.AlertWhereInput {
  const terms = purposeOf(purpose.code);
  if (!terms?.operational) return nothing;
  if (caller.agency === owner) return {};
  if (tierRank(terms.maxTier) < tierRank(least) || tierRank(roleCap(caller.roles)) < tierRank(least)) return nothing;

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
export const visibleTo = (caller: Pick<Officer, 'agency' | 'roles'>, owner: string, purpose: DeclaredPurpose, now: Date) =>
  releasedAtLeast(caller, owner, purpose, now, 'HIT');
