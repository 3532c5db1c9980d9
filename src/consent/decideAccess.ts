import type { Officer } from '../identity/officer.ts';
import { days } from '../domain/durations.ts';
import { purposeOf, roleCap, type ExchangeAgreement } from './agreement.ts';
import type { DeclaredPurpose } from './declaredPurpose.ts';
import { tierRank, type Tier } from './tier.ts';

/** What the owner has said about one alert: its handling and its rules per partner. */
export interface AlertConsentFacts {
  owner: string;
  createdAt: Date;
  handlingCode: 'H0' | 'H1' | 'H2' | 'H3';
  /** The owner's rule for the caller's agency, if it set one. */
  rule: { tier: Tier; purposes: readonly string[]; expiresAt: Date } | null;
  /** Grants to the caller's agency on this alert (any state: the decision filters). */
  grants: readonly {
    id: string;
    tier: Tier;
    purpose: string;
    caseReference: string | null;
    expiresAt: Date;
    revokedAt: Date | null;
  }[];
}

/** Why a record is released at its tier. */
export type AccessBasis = 'DOMESTIC' | 'POLICY' | 'DEFAULT_POLICY' | 'GRANT' | 'NONE';

export interface AccessDecision {
  tier: Tier;
  basis: AccessBasis;
  grantId: string | null;
  /** When the basis of the access ends (null: domestic access does not end). */
  validUntil: Date | null;
  /** The most the agreement would allow this caller for this purpose. */
  ceiling: Tier;
  /** A consent request could raise the tier. */
  canRequestHigher: boolean;
}

const nothing = (ceiling: Tier): AccessDecision => ({ tier: 'NONE', basis: 'NONE', grantId: null, validUntil: null, ceiling, canRequestHigher: false });
const lower = (a: Tier, b: Tier): Tier => (tierRank(a) <= tierRank(b) ? a : b);

/**
 * The tier at which the owner's node releases one alert to one caller for
 * one declared purpose, at one instant. The owner's own officers see their
 * records in full. A partner gets the higher of the owner's rule for it (or,
 * without one, the agreement's default policy) and any live grant for the
 * same purpose and case, capped by what the agreement allows the purpose and
 * the caller's roles. Records under handling code H2 reach only partners the
 * owner named in a rule or a grant, never a third agency by default.
 *
 * Pure: the same facts always give the same decision, which is what lets the
 * tests try to break it with generated policies, grants and callers. The
 * agreement is the one the node was configured with (NodeConfig.agreement).
 */
export function decideAccess(
  caller: Pick<Officer, 'agency' | 'roles'>,
  purpose: DeclaredPurpose,
  facts: AlertConsentFacts,
  now: Date,
  agreement: ExchangeAgreement,
): AccessDecision {
  const terms = purposeOf(purpose.code, agreement);
  // A supervision purpose (AUDIT) releases no operational data, to the owner's own officers neither.
  if (!terms?.operational) return nothing('NONE');
  if (caller.agency === facts.owner) {
    return { tier: 'FULL', basis: 'DOMESTIC', grantId: null, validUntil: null, ceiling: 'FULL', canRequestHigher: false };
  }
  const ceiling = lower(terms.maxTier, roleCap(caller.roles, agreement));

  let tier: Tier = 'NONE';
  let basis: AccessBasis = 'NONE';
  let grantId: string | null = null;
  let validUntil: Date | null = null;

  const { rule } = facts;
  if (rule) {
    if (rule.expiresAt > now && rule.purposes.includes(purpose.code) && rule.tier !== 'NONE') {
      [tier, basis, validUntil] = [rule.tier, 'POLICY', rule.expiresAt];
    }
  } else if (facts.handlingCode !== 'H2' && agreement.parties.includes(caller.agency) && agreement.parties.includes(facts.owner)) {
    const policy = agreement.defaultPolicy;
    const expiresAt = new Date(facts.createdAt.getTime() + days(policy.validityDays));
    if (expiresAt > now && policy.purposes.includes(purpose.code) && policy.tier !== 'NONE') {
      [tier, basis, validUntil] = [policy.tier, 'DEFAULT_POLICY', expiresAt];
    }
  }

  for (const grant of facts.grants) {
    const live = grant.revokedAt === null && grant.expiresAt > now;
    const sameUse = grant.purpose === purpose.code && (grant.caseReference === null || grant.caseReference === purpose.caseReference);
    if (live && sameUse && tierRank(grant.tier) > tierRank(tier)) {
      [tier, basis, grantId, validUntil] = [grant.tier, 'GRANT', grant.id, grant.expiresAt];
    }
  }

  const capped = lower(tier, ceiling);
  if (capped === 'NONE') return nothing(ceiling);
  return { tier: capped, basis, grantId, validUntil, ceiling, canRequestHigher: tierRank(capped) < tierRank(ceiling) };
}

/**
 * The tier at which the requesting agency's node releases one of its trace
 * requests to a caller: in full to its own officers; to the agency the
 * request is addressed to at the agreement's trace-request tier (submitting
 * the request is the requester's consent), capped by what the purpose and
 * the caller's roles allow; to anyone else not at all.
 */
export function decideTraceRequestTier(
  caller: Pick<Officer, 'agency' | 'roles'>,
  purpose: DeclaredPurpose,
  request: { requestingAgency: string; addressedTo: string },
  agreement: ExchangeAgreement,
): Tier {
  const terms = purposeOf(purpose.code, agreement);
  if (!terms?.operational) return 'NONE';
  if (caller.agency === request.requestingAgency) return 'FULL';
  if (caller.agency !== request.addressedTo) return 'NONE';
  return lower(agreement.traceRequests.tier, lower(terms.maxTier, roleCap(caller.roles, agreement)));
}
