import type { Prisma } from '../../generated/prisma/client.ts';
import { agreement, purposeOf, roleCap } from '../../consent/agreement.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { tierRank } from '../../consent/tier.ts';
import type { Officer } from '../../identity/officer.ts';

const days = (count: number) => count * 24 * 3600 * 1000;

/**
 * The alerts decideAccess would release at a tier above NONE, as a database
 * filter, so that lists and counts are right without loading what the caller
 * may not see. It states the same rule as decideAccess; the consent property
 * test checks that the two never disagree.
 */
export function visibleTo(caller: Pick<Officer, 'agency' | 'roles'>, owner: string, purpose: DeclaredPurpose, now: Date): Prisma.AlertWhereInput {
  if (caller.agency === owner) return {};
  const purposeCeiling = purposeOf(purpose.code)?.maxTier ?? 'NONE';
  if (tierRank(purposeCeiling) === 0 || tierRank(roleCap(caller.roles)) === 0) return { id: { in: [] } };

  const routes: Prisma.AlertWhereInput[] = [
    {
      sharingRules: {
        some: { partnerAgency: caller.agency, expiresAt: { gt: now }, purposes: { has: purpose.code }, tier: { not: 'NONE' } },
      },
    },
    {
      consentGrants: {
        some: {
          granteeAgency: caller.agency,
          purpose: purpose.code,
          revokedAt: null,
          expiresAt: { gt: now },
          tier: { not: 'NONE' },
          OR: [{ caseReference: null }, ...(purpose.caseReference ? [{ caseReference: purpose.caseReference }] : [])],
        },
      },
    },
  ];
  const policy = agreement.defaultPolicy;
  if (
    agreement.parties.includes(caller.agency) &&
    agreement.parties.includes(owner) &&
    policy.tier !== 'NONE' &&
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
