import { z } from 'zod';
import { purposeOf, type ExchangeAgreement } from './agreement.ts';
import { tiers } from './tier.ts';
import { days } from '../domain/durations.ts';
import { freeText, reasonText } from '../domain/textInput.ts';

const future = z.date().refine((value) => value.getTime() > Date.now(), 'must be in the future');
const purposeCode = (agreement: ExchangeAgreement) =>
  z.string().refine((code) => purposeOf(code, agreement) !== undefined, 'is not a purpose of the exchange agreement');

/** The reason of a consent decision or revocation: what the requester and the auditors read. */
export const consentReason = reasonText;

/** A sharing policy, its purposes those of the agreement in force. */
export const sharingPolicyInput = (agreement: ExchangeAgreement) =>
  z
    .object({
      handlingCode: z.enum(['H0', 'H1', 'H2', 'H3']).nullish(),
      handlingConditions: freeText(1000).nullish(),
      sourceReliability: z.enum(['A', 'B', 'C', 'X']).nullish(),
      informationAccuracy: z.number().int().min(1, 'must be between 1 and 4').max(4, 'must be between 1 and 4').nullish(),
      rules: z
        .array(
          z.object({
            partnerAgency: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter agency code'),
            tier: z.enum(tiers),
            purposes: z.array(purposeCode(agreement)).max(20),
            expiresAt: future,
          }),
        )
        .max(50)
        .default([]),
    })
    .superRefine((value, ctx) => {
      if (value.handlingCode === 'H3' && !value.handlingConditions) {
        ctx.addIssue({ code: 'custom', path: ['handlingConditions'], message: 'must state the restrictions of an H3 record' });
      }
      const partners = value.rules.map((rule) => rule.partnerAgency);
      if (new Set(partners).size !== partners.length) {
        ctx.addIssue({ code: 'custom', path: ['rules'], message: 'name each partner agency once' });
      }
    });
export type SharingPolicyInput = z.infer<ReturnType<typeof sharingPolicyInput>>;

export const consentRequestInput = z.object({
  alertId: z.string().min(1),
  tier: z.enum(['SUMMARY', 'FULL'], { message: 'must be SUMMARY or FULL: a request asks for more than a hit' }),
  justification: freeText(2000).pipe(z.string().min(10, 'must explain the need in at least 10 characters')),
});
export type ConsentRequestInput = z.infer<typeof consentRequestInput>;

/** A decision on a consent request; a grant's expiry within the agreement's maxGrantDays. */
export const consentDecisionInput = (agreement: ExchangeAgreement) =>
  z
    .object({
      decision: z.enum(['GRANT', 'REFUSE']),
      tier: z.enum(['HIT', 'SUMMARY', 'FULL']).nullish(),
      expiresAt: z.date().nullish(),
      reason: consentReason,
    })
    .superRefine((value, ctx) => {
      if (value.decision !== 'GRANT') return;
      const problem = value.expiresAt ? grantExpiryProblem(value.expiresAt, agreement) : 'a grant always has an expiry';
      if (problem) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: problem });
    });
export type ConsentDecisionInput = z.infer<ReturnType<typeof consentDecisionInput>>;

/**
 * Why the expiry of a grant is refused, or null: every grant ends, in the
 * future and within the agreement's `consentRequests.maxGrantDays` (a consent
 * decision's, and each grant of a joint-operation release).
 */
export function grantExpiryProblem(expiresAt: Date, agreement: ExchangeAgreement, now = Date.now()): string | null {
  if (expiresAt.getTime() <= now) return 'must be in the future';
  const maxDays = agreement.consentRequests.maxGrantDays;
  if (expiresAt.getTime() > now + days(maxDays)) return `must be within ${maxDays} days (exchange agreement)`;
  return null;
}

/** An owner's release of its records linked to a joint operation to the operation's other agencies, under the agreement in force. */
export const operationReleaseInput = (agreement: ExchangeAgreement) =>
  z.object({
    tier: z.enum(tiers),
    expiresAt: z.date().superRefine((value, ctx) => {
      const problem = grantExpiryProblem(value, agreement);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  });
export type OperationReleaseInput = z.infer<ReturnType<typeof operationReleaseInput>>;
