import { z } from 'zod';
import { BorderCrossingPoint } from '../domain/enums.ts';
import { freeText, lineText, reasonText } from '../domain/textInput.ts';

// Text follows the rules of every record's text (textInput.ts): an operation's record is read by the
// partner's officers and by auditors, as an alert is.
const agencyCode = z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter agency code');

/** A liaison plans an operation; its code becomes the case reference of everything done for it. */
export const createJointOperationInput = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^[A-Z0-9][A-Z0-9-]{3,19}$/, 'must be 4 to 20 capital letters, digits and dashes (it is the case reference)'),
    codeName: lineText(120),
    objective: freeText(4000),
    legalBasis: freeText(2000),
    leadAgency: agencyCode,
    participatingAgencies: z.array(agencyCode).min(2, 'must name at least two agencies').max(10),
    area: z.object({
      borderCrossings: z.array(z.enum(Object.values(BorderCrossingPoint) as [BorderCrossingPoint, ...BorderCrossingPoint[]])).max(20).default([]),
      greenBorderSectors: z.array(lineText(120)).max(20).default([]),
      municipalities: z.array(lineText(120)).max(20).default([]),
    }),
    plannedStart: z.date(),
    plannedEnd: z.date(),
    partnerLiaisons: z.array(z.object({ officerSub: lineText(200), agency: agencyCode, unitCode: lineText(40) })).max(10),
  })
  .superRefine((value, ctx) => {
    const named = value.partnerLiaisons.map((liaison) => liaison.agency).sort();
    const partners = value.participatingAgencies.filter((agency, index, all) => all.indexOf(agency) === index).sort();
    // The planner names one liaison of each other agency; from then on each agency's liaisons manage its own members.
    if (named.length !== partners.length - 1 || partners.filter((agency) => !named.includes(agency)).length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['partnerLiaisons'], message: 'must name one liaison of each other participating agency' });
    }
    if (new Set(value.participatingAgencies).size !== value.participatingAgencies.length) {
      ctx.addIssue({ code: 'custom', path: ['participatingAgencies'], message: 'name each agency once' });
    }
    if (!value.participatingAgencies.includes(value.leadAgency)) {
      ctx.addIssue({ code: 'custom', path: ['leadAgency'], message: 'must be one of the participating agencies' });
    }
    if (value.plannedEnd <= value.plannedStart) {
      ctx.addIssue({ code: 'custom', path: ['plannedEnd'], message: 'must be after plannedStart' });
    }
    const { borderCrossings, greenBorderSectors, municipalities } = value.area;
    if (borderCrossings.length + greenBorderSectors.length + municipalities.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['area'], message: 'must name at least one border crossing, green-border sector or municipality' });
    }
  });
export type CreateJointOperationInput = z.infer<typeof createJointOperationInput>;

export const operationStatusChangeInput = z.object({
  status: z.enum(['ACTIVE', 'CLOSED', 'CANCELLED']),
  reason: reasonText.nullish(),
});
export type OperationStatusChangeInput = z.infer<typeof operationStatusChangeInput>;

export const operationMemberInput = z
  .object({
    officerSub: lineText(200),
    agency: agencyCode,
    unitCode: lineText(40),
    role: z.enum(['LIAISON', 'TEAM_LEAD', 'MEMBER', 'ANALYST']),
    validFrom: z.date().nullish(),
    validUntil: z.date().nullish(),
  })
  .superRefine((value, ctx) => {
    if (value.validFrom && value.validUntil && value.validUntil <= value.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'must be after validFrom' });
    }
  });
export type OperationMemberInput = z.infer<typeof operationMemberInput>;

export const timelineEntryInput = z
  .object({
    kind: z.enum(['BRIEFING', 'ACTION', 'SEIZURE', 'ARREST', 'NOTE', 'DECISION']),
    occurredAt: z.date(),
    text: freeText(4000),
    personsArrested: z.number().int().min(0).max(1000).nullish(),
    alertIds: z.array(z.string()).max(50).default([]),
    correctsId: z.string().nullish(),
  })
  .superRefine((value, ctx) => {
    if (value.kind === 'ARREST' && value.personsArrested == null) {
      ctx.addIssue({ code: 'custom', path: ['personsArrested'], message: 'must say how many persons an ARREST entry records' });
    }
    if (value.kind !== 'ARREST' && value.personsArrested != null) {
      ctx.addIssue({ code: 'custom', path: ['personsArrested'], message: 'belongs to ARREST entries only' });
    }
  });
export type TimelineEntryInput = z.infer<typeof timelineEntryInput>;

export const jointOperationFilter = z
  .object({
    statuses: z.array(z.enum(['PLANNED', 'ACTIVE', 'CLOSED', 'CANCELLED'])).nullish(),
    agency: agencyCode.nullish(),
    from: z.date().nullish(),
    to: z.date().nullish(),
    borderCrossing: z.enum(Object.values(BorderCrossingPoint) as [BorderCrossingPoint, ...BorderCrossingPoint[]]).nullish(),
    greenBorderSector: lineText(120).nullish(),
    municipality: lineText(120).nullish(),
  })
  .nullish();
export type JointOperationFilter = z.infer<typeof jointOperationFilter>;
