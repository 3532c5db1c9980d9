import { z } from 'zod';
import { purposeOf, type ExchangeAgreement } from './agreement.ts';
import { tiers } from './tier.ts';
import { days } from '../domain/durations.ts';
import { freeText } from '../domain/textInput.ts';

const future = z.date().refine((value) => value.getTime() > Date.now(), 'must be in the future');
const purposeCode = (agreement: ExchangeAgreement) =>
  z.string().refine((code) => purposeOf(code, agreement) !== undefined, 'is not a purpose of the exchange agreement');

/** The reason of a consent decision or revocation: what the requester and the auditors read. */
export const consentReason = freeText(2000).pipe(z.string().min(3, 'must give a reason'));

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
      if (!value.expiresAt) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'a grant always has an expiry' });
      else if (value.expiresAt.getTime() <= Date.now()) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be in the future' });
      else if (value.expiresAt.getTime() > Date.now() + days(agreement.consentRequests.maxGrantDays)) {
        ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: `must be within ${agreement.consentRequests.maxGrantDays} days (exchange agreement)` });
      }
    });
export type ConsentDecisionInput = z.infer<ReturnType<typeof consentDecisionInput>>;

/** An owner's release of its records linked to a joint operation to the operation's other agencies. */
export const operationReleaseInput = z.object({
  tier: z.enum(tiers),
  expiresAt: future,
});
export type OperationReleaseInput = z.infer<typeof operationReleaseInput>;
