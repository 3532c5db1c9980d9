// The consent rule as the exchange agreement states it, written for the tests
// on its own (not by calling the code under test): what tier a caller should
// get, and which alert fields that tier releases.
import { agreement } from '../src/consent/agreement.ts';
import type { Role } from '../src/identity/roles.ts';

export const tierOrder = ['NONE', 'HIT', 'SUMMARY', 'FULL'] as const;
export type TierName = (typeof tierOrder)[number];
const rank = (tier: TierName) => tierOrder.indexOf(tier);
const atMost = (a: TierName, b: TierName) => (rank(a) <= rank(b) ? a : b);
const atLeast = (a: TierName, b: TierName) => (rank(a) >= rank(b) ? a : b);

export interface Scenario {
  domestic: boolean;
  roles: Role[];
  purpose: string;
  caseReference: string | null;
  handlingCode: 'H0' | 'H1' | 'H2' | 'H3';
  /** Days since the alert was created. */
  ageDays: number;
  rule: { tier: TierName; purposes: string[]; expired: boolean } | null;
  grants: { tier: TierName; purpose: string; caseReference: string | null; expired: boolean; revoked: boolean }[];
}

export function expectedTier(s: Scenario): TierName {
  // "AUDIT: … never operational data", for anyone.
  if (!agreement.purposes[s.purpose]!.operational) return 'NONE';
  if (s.domestic) return 'FULL';
  let fromPolicy: TierName = 'NONE';
  if (s.rule) {
    if (!s.rule.expired && s.rule.purposes.includes(s.purpose)) fromPolicy = s.rule.tier;
  } else if (s.handlingCode !== 'H2') {
    const policy = agreement.defaultPolicy;
    if (policy.purposes.includes(s.purpose) && s.ageDays < policy.validityDays) fromPolicy = policy.tier;
  }
  let fromGrants: TierName = 'NONE';
  for (const grant of s.grants) {
    const applies = !grant.expired && !grant.revoked && grant.purpose === s.purpose && (grant.caseReference === null || grant.caseReference === s.caseReference);
    if (applies) fromGrants = atLeast(fromGrants, grant.tier);
  }
  const roleCeiling = s.roles.map((role) => agreement.roles[role].maxPartnerTier as TierName).reduce(atLeast, 'NONE');
  const purposeCeiling = agreement.purposes[s.purpose]!.maxTier as TierName;
  return atMost(atMost(atLeast(fromPolicy, fromGrants), purposeCeiling), roleCeiling);
}

/** Fields of the gateway's Alert that the agreement releases at a tier, and those above it. */
export function fieldsAt(tier: TierName): { present: string[]; absent: string[] } {
  const present: string[] = [];
  const absent: string[] = [];
  for (const name of tierOrder) {
    (rank(name) <= rank(tier) ? present : absent).push(...agreement.tiers[name]!.alertFields);
  }
  return { present, absent };
}

/**
 * The tier of a trace request for a caller, as the agreement states it: the
 * requester's own officers in full; the addressed agency at the agreement's
 * trace-request tier, within what the purpose and the roles allow.
 */
export function expectedTraceRequestTier(s: { requester: boolean; roles: Role[]; purpose: string }): TierName {
  if (!agreement.purposes[s.purpose]!.operational) return 'NONE';
  if (s.requester) return 'FULL';
  const roleCeiling = s.roles.map((role) => agreement.roles[role].maxPartnerTier as TierName).reduce(atLeast, 'NONE');
  return atMost(atMost(agreement.traceRequests.tier as TierName, agreement.purposes[s.purpose]!.maxTier as TierName), roleCeiling);
}

/** Fields of a trace request the agreement releases at a tier, and those above it. */
export function traceRequestFieldsAt(tier: TierName): { present: string[]; absent: string[] } {
  const present: string[] = [];
  const absent: string[] = [];
  for (const name of tierOrder) {
    (rank(name) <= rank(tier) ? present : absent).push(...(agreement.traceRequests.fields[name] ?? []));
  }
  return { present, absent };
}
