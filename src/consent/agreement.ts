import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { roles, type Role } from '../identity/roles.ts';
import { tiers, type Tier } from './tier.ts';
import { agreementMeasureNames, statisticsDimensionNames } from '../statistics/dimensions.ts';

/** Where the bilateral exchange agreement is committed. */
export const agreementPath = fileURLToPath(new URL('../../contracts/exchange-agreement.json', import.meta.url));

const tier = z.enum(tiers);
const agencyCode = z.string().regex(/^[A-Z]{2}$/);

const agreementSchema = z.object({
  version: z.string(),
  parties: z.array(agencyCode).min(2),
  tiers: z.record(tier, z.object({ description: z.string(), alertFields: z.array(z.string()) })),
  /** Fields only the owner agency's own officers ever see. */
  ownerOnlyAlertFields: z.array(z.string()),
  /** What the agency a trace request is addressed to receives of it: the tier, and the request's fields per tier. */
  traceRequests: z.object({ tier, fields: z.partialRecord(tier, z.array(z.string())) }),
  purposes: z.record(
    z.string().regex(/^[A-Z][A-Z_]*$/),
    z.object({
      description: z.string(),
      caseReferenceRequired: z.boolean(),
      maxTier: tier,
      /** False for supervision purposes (AUDIT): they release no operational data to anyone, the owner's own officers included. */
      operational: z.boolean(),
    }),
  ),
  roles: z.record(
    z.enum(roles),
    z.object({
      maxPartnerTier: tier,
      operational: z.boolean(),
      /** Decides partners' consent requests for its own agency: grants, refuses, revokes, releases records to a joint operation. */
      decidesConsent: z.boolean().optional(),
      /** Sets the sharing policy of its own agency's records: handling code, grading and the standing rule per partner. */
      setsSharingPolicy: z.boolean().optional(),
    }),
  ),
  handlingCodes: z.object({ H0: z.string(), H1: z.string(), H2: z.string(), H3: z.string() }),
  defaultPolicy: z.object({
    tier,
    purposes: z.array(z.string()),
    validityDays: z.number().int().positive(),
    handlingCode: z.enum(['H0', 'H1', 'H2', 'H3']),
    sourceReliability: z.enum(['A', 'B', 'C', 'X']),
    informationAccuracy: z.number().int().min(1).max(4),
  }),
  /** The owner answers within answerDeadlineHours; the requester is told grantExpiryNoticeHours before a grant ends (see src/realtime/consentDeadlineSchedule.ts). */
  consentRequests: z.object({ answerDeadlineHours: z.number().positive(), maxGrantDays: z.number().int().positive(), grantExpiryNoticeHours: z.number().positive() }),
  /** How long a watch entry may stay in force at most. */
  watchEntries: z.object({ maxDays: z.number().int().positive() }),
  /** How long the event feeds keep an event (see src/realtime/feedRetention.ts). */
  events: z.object({ retentionDays: z.number().int().positive() }),
  /** How long the audit logs keep in clear what they may of an operation's inputs (see src/audit/purgeClearVariables.ts). */
  audit: z.object({ clearRetentionDays: z.number().int().positive() }),
  /** What the parties share as statistics, and how their cells are protected (see src/statistics/). */
  statistics: z.object({
    /** Purposes under which a partner may ask for statistics. */
    purposes: z.array(z.string()).min(1),
    /** The time grid every table is on: whole calendar months (UTC) or whole ISO weeks. */
    timeGrid: z.enum(['MONTH', 'WEEK']),
    /** Most periods one table may span. */
    maxPeriods: z.number().int().positive(),
    /** The dimensions a partner may break a table down by (src/statistics/dimensions.ts). */
    dimensions: z.array(z.enum(statisticsDimensionNames)),
    /** The measures a partner receives (src/statistics/dimensions.ts): the nodes' over their alerts, and the joint ones (PERSONS_ARRESTED) the gateway computes. */
    measures: z.array(z.enum(agreementMeasureNames)).min(1),
    /** Minimum frequency rule: a partner never sees a cell of fewer alerts than this, other than 0. Default 5. */
    minimumCellSize: z.number().int().min(2).default(5),
    /** Whether alerts the owner withholds from the partner (a rule at NONE, H2 without a rule naming it) count in its statistics. Default false. */
    countWithheld: z.boolean().default(false),
  }),
});

export type ExchangeAgreement = z.infer<typeof agreementSchema>;

/** The agreement's terms for statistics. */
export type StatisticsTerms = ExchangeAgreement['statistics'];

/** Checks an agreement given as data (a test's variant of the committed one) as loadAgreement checks the file. */
export function parseAgreement(source: unknown): ExchangeAgreement {
  return agreementSchema.parse(source);
}

/** Reads and checks the agreement; a malformed agreement stops the process at start. */
export function loadAgreement(path = agreementPath): ExchangeAgreement {
  const parsed = agreementSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  for (const code of parsed.defaultPolicy.purposes) {
    if (!purposeOf(code, parsed)) throw new Error(`exchange agreement: default policy names unknown purpose ${code}`);
  }
  for (const tierName of tiers) {
    if (!parsed.tiers[tierName]) throw new Error(`exchange agreement: tier ${tierName} is not described`);
  }
  for (const code of parsed.statistics.purposes) {
    if (!purposeOf(code, parsed)?.operational) throw new Error(`exchange agreement: statistics name ${code}, which is not an operational purpose`);
  }
  return parsed;
}

/**
 * The committed agreement, loaded once: what the public schema describes (its
 * purposes), what the demo seeds, and the default of NodeConfig.agreement and
 * GatewayConfig.agreement. A running node or gateway decides by the agreement
 * it was configured with (its context's `agreement`), which every helper below
 * takes explicitly.
 */
export const agreement = loadAgreement();

export type Purpose = ExchangeAgreement['purposes'][string];

/**
 * The purpose of work within a joint operation: its case reference is the
 * operation's code, and only the operation's members may declare it (checked
 * by the gateway, which holds the operations, and vouched for to the nodes).
 */
export const jointOperationPurpose = 'JOINT_OPERATION';

/** The agreement's terms for a purpose code; undefined for anything that is not one of its own purposes. */
export function purposeOf(code: string, source: ExchangeAgreement): Purpose | undefined {
  return Object.hasOwn(source.purposes, code) ? source.purposes[code] : undefined;
}

/** Whether a declared purpose may be used to read or change operational data (alerts, searches, consent, trace requests). */
export function isOperationalPurpose(code: string, source: ExchangeAgreement): boolean {
  return purposeOf(code, source)?.operational === true;
}

/** Alert fields released at a tier: its own and those of every tier below it. */
export function alertFieldsAt(level: Tier, source: ExchangeAgreement): string[] {
  return tiers.slice(0, tiers.indexOf(level) + 1).flatMap((name) => source.tiers[name]!.alertFields);
}

/** The tier at which the agreement releases a field of a trace request, or undefined when it names the field at no tier. */
export function tierOfTraceRequestField(field: string, source: ExchangeAgreement): Tier | undefined {
  return tiers.find((name) => source.traceRequests.fields[name]?.includes(field));
}

/** The tier at which the agreement releases an alert field, or undefined when it releases it at none. */
export function tierOfAlertField(field: string, source: ExchangeAgreement): Tier | undefined {
  return tiers.find((name) => source.tiers[name]!.alertFields.includes(field));
}

/** The highest tier any of the roles may receive from a partner. */
export function roleCap(officerRoles: readonly Role[], source: ExchangeAgreement): Tier {
  let best = 0;
  for (const role of officerRoles) {
    const rule = Object.hasOwn(source.roles, role) ? source.roles[role] : undefined;
    best = Math.max(best, tiers.indexOf(rule?.maxPartnerTier ?? 'NONE'));
  }
  return tiers[best]!;
}

/** An authority the agreement gives roles over their own agency's records. */
type RoleAuthority = 'decidesConsent' | 'setsSharingPolicy';

/** The roles the agreement marks with an authority, and no other. */
function rolesWith(authority: RoleAuthority, source: ExchangeAgreement): Role[] {
  return roles.filter((role) => Object.hasOwn(source.roles, role) && source.roles[role]?.[authority] === true);
}

/**
 * The roles that decide consent for their own agency (grant, refuse or revoke a request, release records to a
 * joint operation): those the agreement marks `decidesConsent`, and no other.
 */
export function consentDeciders(source: ExchangeAgreement): Role[] {
  return rolesWith('decidesConsent', source);
}

/** Whether an officer with these roles may decide consent for their agency (see {@link consentDeciders}). */
export function mayDecideConsent(officerRoles: readonly Role[], source: ExchangeAgreement): boolean {
  const deciders = consentDeciders(source);
  return officerRoles.some((role) => deciders.includes(role));
}

/** The roles that set the sharing policy of their own agency's records: those the agreement marks `setsSharingPolicy`. */
export function sharingPolicySetters(source: ExchangeAgreement): Role[] {
  return rolesWith('setsSharingPolicy', source);
}
