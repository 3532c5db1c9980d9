import { Prisma } from '../../generated/node/client.ts';
import { purposeOf, roleCap, tierOfAlertField, type ExchangeAgreement } from '../../consent/agreement.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { tierRank, tiers, type Tier } from '../../consent/tier.ts';
import { days } from '../../domain/durations.ts';
import type { Officer } from '../../identity/officer.ts';

/** The rank (tierRank: NONE 0 … FULL 3) of a tier column, in SQL. */
const rankOf = (column: Prisma.Sql) => Prisma.sql`(array_position(${[...tiers]}::text[], ${column}::text) - 1)`;

/**
 * decideAccess's tier, as an SQL expression over the alert `a` (its rank,
 * NONE 0 … FULL 3), so that the statement reading an alert reads only the
 * parts its tier releases: what leaves the database is what may leave the
 * node. What depends on the agreement, the purpose and the caller alone
 * (operational purpose, domestic caller, the ceiling of the purpose and the
 * roles, whether the default policy applies) is decided here, in JavaScript,
 * with decideAccess's own helpers; the statement decides per alert what
 * depends on its facts: the owner's rule for the caller's agency (live, for
 * the purpose) or else the default policy (not for H2, within its validity
 * from creation), the best live grant for the purpose and case, capped by the
 * ceiling, under the node's agreement. test/consentEncodings.test.ts pins it to decideAccess; the release
 * still decides in JavaScript and refuses a row whose tier differs.
 */
export function releasedTierRank(
  caller: Pick<Officer, 'agency' | 'roles'>,
  owner: string,
  purpose: DeclaredPurpose,
  now: Date,
  agreement: ExchangeAgreement,
): Prisma.Sql {
  const terms = purposeOf(purpose.code, agreement);
  if (!terms?.operational) return Prisma.sql`0`;
  if (caller.agency === owner) return Prisma.sql`${tierRank('FULL')}::int`;
  const ceiling = Math.min(tierRank(terms.maxTier), tierRank(roleCap(caller.roles, agreement)));
  const policy = agreement.defaultPolicy;
  const byDefault =
    agreement.parties.includes(caller.agency) && agreement.parties.includes(owner) && policy.purposes.includes(purpose.code) && policy.tier !== 'NONE'
      ? Prisma.sql`case when a.handling_code::text <> 'H2' and a.created_at + ${days(policy.validityDays)} * interval '1 millisecond' > ${now}::timestamptz then ${tierRank(policy.tier)}::int else 0 end`
      : Prisma.sql`0`;
  return Prisma.sql`least(${ceiling}::int, greatest(
      coalesce((select case when r.expires_at > ${now}::timestamptz and ${purpose.code}::text = any(r.purposes) then ${rankOf(Prisma.sql`r.tier`)} else 0 end
                  from node.sharing_rule r where r.alert_id = a.id and r.partner_agency = ${caller.agency}), ${byDefault}),
      coalesce((select max(${rankOf(Prisma.sql`g.tier`)}) from node.consent_grant g
                 where g.alert_id = a.id and g.grantee_agency = ${caller.agency} and g.revoked_at is null and g.expires_at > ${now}::timestamptz
                   and g.purpose = ${purpose.code}::text and (g.case_reference is null or g.case_reference = ${purpose.caseReference ?? null}::text)), 0)))`;
}

/** The rank from which the agreement releases a part of an alert's view ('summary', 'personalData'); never, for a part it does not name. */
export function rankReleasing(part: string, agreement: ExchangeAgreement): number {
  const tier: Tier | undefined = tierOfAlertField(part, agreement);
  return tier === undefined || tier === 'NONE' ? tiers.length : tierRank(tier);
}
