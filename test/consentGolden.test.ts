import { describe, expect, it } from 'vitest';
import { decideAccess, type AlertConsentFacts } from '../src/consent/decideAccess.ts';
import type { Role } from '../src/identity/roles.ts';
import { expectedTier, type Scenario, type TierName } from './consentOracle.ts';
import { agreement } from '../src/consent/agreement.ts';

// A golden table of consent decisions, each written from the text of the
// exchange agreement (contracts/exchange-agreement.json), not from the code:
// the oracle the property tests trust and the node's decideAccess must both
// give every answer here. Ages and expiries sit on both sides of their limits.

const day = 24 * 3600 * 1000;
const now = new Date('2026-12-01T12:00:00Z');
const all = ['BORDER_CHECK', 'CRIMINAL_INVESTIGATION', 'FIREARM_TRACE', 'RISK_ANALYSIS', 'JOINT_OPERATION', 'AUDIT'];

interface Case {
  why: string;
  caller?: { agency?: string; roles?: Role[] };
  purpose?: string;
  caseReference?: string | null;
  handlingCode?: Scenario['handlingCode'];
  ageDays?: number;
  rule?: { tier: TierName; purposes: string[]; expiresInDays: number } | null;
  grants?: { tier: TierName; purpose: string; caseReference: string | null; expiresInDays: number; revoked?: boolean }[];
  expected: TierName;
}

const cases: Case[] = [
  { why: "the owner's own officers see their records in full", caller: { agency: 'XK' }, expected: 'FULL' },
  { why: 'AUDIT is "never operational data", for the owner too', caller: { agency: 'XK' }, purpose: 'AUDIT', caseReference: null, expected: 'NONE' },
  { why: 'a party of the agreement gets the default policy, HIT', expected: 'HIT' },
  { why: 'the default policy holds on its 364th day', ageDays: 364, expected: 'HIT' },
  { why: 'the default policy ends after 365 days', ageDays: 365, expected: 'NONE' },
  { why: 'and stays ended', ageDays: 700, expected: 'NONE' },
  { why: 'an H2 record reaches no partner the owner did not name', handlingCode: 'H2', expected: 'NONE' },
  { why: 'an H2 record reaches a partner named in a rule', handlingCode: 'H2', rule: { tier: 'SUMMARY', purposes: all, expiresInDays: 10 }, expected: 'SUMMARY' },
  { why: 'H1 and H3 do not stop the default policy', handlingCode: 'H3', expected: 'HIT' },
  { why: "a rule replaces the default policy, even when it says less", rule: { tier: 'NONE', purposes: all, expiresInDays: 10 }, expected: 'NONE' },
  { why: 'a rule for other purposes gives nothing for this one', rule: { tier: 'FULL', purposes: ['RISK_ANALYSIS'], expiresInDays: 10 }, expected: 'NONE' },
  { why: 'a rule that expired a minute ago gives nothing, and the default does not come back', rule: { tier: 'FULL', purposes: all, expiresInDays: -1 / 1440 }, expected: 'NONE' },
  { why: 'a rule that expires in a minute still holds', rule: { tier: 'FULL', purposes: all, expiresInDays: 1 / 1440 }, expected: 'FULL' },
  { why: 'a rule is not bound by the default policy\u2019s validity', ageDays: 500, rule: { tier: 'SUMMARY', purposes: all, expiresInDays: 10 }, expected: 'SUMMARY' },
  { why: "the purpose caps the tier: BORDER_CHECK at most SUMMARY", purpose: 'BORDER_CHECK', caseReference: null, rule: { tier: 'FULL', purposes: all, expiresInDays: 10 }, expected: 'SUMMARY' },
  { why: 'the role caps the tier: an analyst at most SUMMARY', caller: { roles: ['analyst'] }, rule: { tier: 'FULL', purposes: all, expiresInDays: 10 }, expected: 'SUMMARY' },
  { why: 'an admin at most HIT', caller: { roles: ['admin'] }, rule: { tier: 'FULL', purposes: all, expiresInDays: 10 }, expected: 'HIT' },
  { why: 'the best of several roles counts', caller: { roles: ['admin', 'analyst'] }, rule: { tier: 'FULL', purposes: all, expiresInDays: 10 }, expected: 'SUMMARY' },
  { why: 'a live grant for the purpose and case raises the tier', grants: [{ tier: 'FULL', purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042', expiresInDays: 3 }], expected: 'FULL' },
  { why: 'a grant with no case reference serves every case of its purpose', caseReference: 'MK-2026-77', grants: [{ tier: 'SUMMARY', purpose: 'CRIMINAL_INVESTIGATION', caseReference: null, expiresInDays: 3 }], expected: 'SUMMARY' },
  { why: 'a grant for another case does not', caseReference: 'MK-2026-77', grants: [{ tier: 'FULL', purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042', expiresInDays: 3 }], expected: 'HIT' },
  { why: 'a grant for another purpose does not', grants: [{ tier: 'FULL', purpose: 'FIREARM_TRACE', caseReference: null, expiresInDays: 3 }], expected: 'HIT' },
  { why: 'a revoked grant gives nothing on the next request', grants: [{ tier: 'FULL', purpose: 'CRIMINAL_INVESTIGATION', caseReference: null, expiresInDays: 3, revoked: true }], expected: 'HIT' },
  { why: 'a grant that expired a minute ago gives nothing', grants: [{ tier: 'FULL', purpose: 'CRIMINAL_INVESTIGATION', caseReference: null, expiresInDays: -1 / 1440 }], expected: 'HIT' },
  { why: 'a grant outlives the default policy', ageDays: 400, grants: [{ tier: 'SUMMARY', purpose: 'CRIMINAL_INVESTIGATION', caseReference: null, expiresInDays: 3 }], expected: 'SUMMARY' },
  { why: 'a grant reaches an H2 record: the owner named the partner', handlingCode: 'H2', grants: [{ tier: 'SUMMARY', purpose: 'CRIMINAL_INVESTIGATION', caseReference: null, expiresInDays: 3 }], expected: 'SUMMARY' },
  { why: 'a grant lower than the rule does not lower it', rule: { tier: 'SUMMARY', purposes: all, expiresInDays: 10 }, grants: [{ tier: 'HIT', purpose: 'CRIMINAL_INVESTIGATION', caseReference: null, expiresInDays: 3 }], expected: 'SUMMARY' },
  { why: 'a grant is capped by the purpose like anything else', purpose: 'RISK_ANALYSIS', caseReference: null, grants: [{ tier: 'FULL', purpose: 'RISK_ANALYSIS', caseReference: null, expiresInDays: 3 }], expected: 'SUMMARY' },
  { why: 'no operational data under AUDIT, whatever was granted', purpose: 'AUDIT', caseReference: null, grants: [{ tier: 'FULL', purpose: 'AUDIT', caseReference: null, expiresInDays: 3 }], expected: 'NONE' },
];

describe('consent golden table (from the agreement\u2019s text)', () => {
  it.each(cases)('$why → $expected', (c) => {
    const agency = c.caller?.agency ?? 'MK';
    const roles = c.caller?.roles ?? ['officer'];
    const purpose = c.purpose ?? 'CRIMINAL_INVESTIGATION';
    const caseReference = c.caseReference === undefined ? 'XK-MK-2026-0042' : c.caseReference;
    const handlingCode = c.handlingCode ?? 'H0';
    const ageDays = c.ageDays ?? 0;
    const at = (days: number) => new Date(now.getTime() + days * day);

    const facts: AlertConsentFacts = {
      owner: 'XK',
      createdAt: at(-ageDays),
      handlingCode,
      rule: c.rule ? { tier: c.rule.tier, purposes: c.rule.purposes, expiresAt: at(c.rule.expiresInDays) } : null,
      grants: (c.grants ?? []).map((grant, index) => ({
        id: `grant-${index}`,
        tier: grant.tier,
        purpose: grant.purpose,
        caseReference: grant.caseReference,
        expiresAt: at(grant.expiresInDays),
        revokedAt: grant.revoked ? at(-1 / 24) : null,
      })),
    };
    const decision = decideAccess({ agency, roles }, { code: purpose, caseReference }, facts, now, agreement);
    expect(decision.tier, 'decideAccess').toBe(c.expected);

    const scenario: Scenario = {
      domestic: agency === 'XK',
      roles,
      purpose,
      caseReference,
      handlingCode,
      ageDays,
      rule: c.rule ? { tier: c.rule.tier, purposes: c.rule.purposes, expired: c.rule.expiresInDays <= 0 } : null,
      grants: (c.grants ?? []).map((grant) => ({ tier: grant.tier, purpose: grant.purpose, caseReference: grant.caseReference, expired: grant.expiresInDays <= 0, revoked: grant.revoked ?? false })),
    };
    expect(expectedTier(scenario), 'oracle').toBe(c.expected);
  });
});
