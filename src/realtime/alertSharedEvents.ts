import type { Prisma, PrismaClient } from '../generated/node/client.ts';
import type { AlertView } from '../domain/alertView.ts';
import type { Officer } from '../identity/officer.ts';
import type { ExchangeAgreement } from '../consent/agreement.ts';
import { decideAccess, type AlertConsentFacts } from '../consent/decideAccess.ts';
import type { DeclaredPurpose } from '../consent/declaredPurpose.ts';
import { tierRank, type Tier } from '../consent/tier.ts';
import { roles } from '../identity/roles.ts';
import { consentFacts, releaseAlert } from '../node/records/alertRelease.ts';
import { loadAlertRows } from '../node/records/loadAlertRows.ts';
import type { UnitOfWork } from '../node/records/unitOfWork.ts';
import { deliverableEvent, type WithheldReason } from './eventDelivery.ts';
import type { OutboxEvent } from './eventOutbox.ts';

/** Which change of the owner's consent made an alert visible to a partner, or visible at a higher tier. */
export type SharingCause = 'SHARING_POLICY' | 'CONSENT_GRANT' | 'JOINT_OPERATION_RELEASE';

/** Consent facts as an ALERT_SHARED event keeps them (JSON: instants as ISO strings). */
interface StoredFacts {
  handlingCode: AlertConsentFacts['handlingCode'];
  rule: { tier: Tier; purposes: string[]; expiresAt: string } | null;
  grants: { id: string; tier: Tier; purpose: string; caseReference: string | null; expiresAt: string; revokedAt: string | null }[];
}

/**
 * What an ALERT_SHARED event says beyond its recipient and record, kept at
 * the owner's node (the feed never carries it): the cause, and what the
 * owner had said to the recipient agency about the record before the change,
 * so that the delivery can tell whether the subscriber, with its own purpose
 * and roles, sees the record higher than it did.
 */
export interface AlertSharedDetails {
  cause: SharingCause;
  before: StoredFacts;
}

/** The consent facts of some alerts for some partner agencies at one moment: what a change is compared with. */
export interface SharingSnapshot {
  owner: string;
  agencies: readonly string[];
  facts: Map<string, { createdAt: Date; perAgency: Map<string, AlertConsentFacts> }>;
}

const factsQuery = (alertIds: readonly string[], agencies: readonly string[]) =>
  ({
    where: { id: { in: [...alertIds] } },
    select: {
      id: true,
      createdAt: true,
      handlingCode: true,
      sharingRules: { where: { partnerAgency: { in: [...agencies] } } },
      consentGrants: { where: { granteeAgency: { in: [...agencies] } } },
    },
  }) satisfies Prisma.AlertFindManyArgs;

/**
 * Reads, in the change's transaction and before it, what the owner says of
 * these alerts to these partner agencies (the owner's own agency left out:
 * its officers see every record in full already).
 */
export async function sharingSnapshot(tx: Prisma.TransactionClient, owner: string, alertIds: readonly string[], agencies: readonly string[]): Promise<SharingSnapshot> {
  const partners = [...new Set(agencies)].filter((agency) => agency !== owner);
  const rows = alertIds.length && partners.length ? await tx.alert.findMany(factsQuery(alertIds, partners)) : [];
  const facts: SharingSnapshot['facts'] = new Map();
  for (const row of rows) {
    facts.set(row.id, { createdAt: row.createdAt, perAgency: new Map(partners.map((agency) => [agency, consentFacts(row, owner, agency)])) });
  }
  return { owner, agencies: partners, facts };
}

/**
 * The uses (purpose and case) for which an officer of the agency holding
 * every role would see the record higher after than before: the most any
 * subscriber of that agency could gain. Cases are those the grants name, and
 * none (rules and the default policy do not depend on the case).
 */
function risingUses(agency: string, before: AlertConsentFacts, after: AlertConsentFacts, now: Date, agreement: ExchangeAgreement): DeclaredPurpose[] {
  const caller = { agency, roles };
  const cases = new Set<string | null>([null, ...after.grants.map((grant) => grant.caseReference)]);
  const uses: DeclaredPurpose[] = [];
  for (const code of Object.keys(agreement.purposes)) {
    for (const caseReference of cases) {
      const purpose = { code, caseReference };
      if (tierRank(decideAccess(caller, purpose, after, now, agreement).tier) > tierRank(decideAccess(caller, purpose, before, now, agreement).tier)) uses.push(purpose);
    }
  }
  return uses;
}

const storedFacts = (facts: AlertConsentFacts): StoredFacts => ({
  handlingCode: facts.handlingCode,
  rule: facts.rule && { tier: facts.rule.tier, purposes: [...facts.rule.purposes], expiresAt: facts.rule.expiresAt.toISOString() },
  grants: facts.grants.map((grant) => ({
    id: grant.id,
    tier: grant.tier,
    purpose: grant.purpose,
    caseReference: grant.caseReference,
    expiresAt: grant.expiresAt.toISOString(),
    revokedAt: grant.revokedAt?.toISOString() ?? null,
  })),
});

/** The facts an ALERT_SHARED event kept, as decideAccess reads them. */
export function factsBefore(details: AlertSharedDetails, owner: string, createdAt: Date): AlertConsentFacts {
  const { handlingCode, rule, grants } = details.before;
  return {
    owner,
    createdAt,
    handlingCode,
    rule: rule && { tier: rule.tier, purposes: rule.purposes, expiresAt: new Date(rule.expiresAt) },
    grants: grants.map((grant) => ({ ...grant, expiresAt: new Date(grant.expiresAt), revokedAt: grant.revokedAt === null ? null : new Date(grant.revokedAt) })),
  };
}

/**
 * Compares what the owner says now, in the change's transaction, with the
 * snapshot taken before it, and queues one ALERT_SHARED event per alert and
 * partner agency that some officer of that agency may now see higher (a
 * rule, an H2 lifted, a grant, a joint-operation release). The event names
 * the agency and the record, never its content; when the gain is for one
 * purpose and case only (a grant for a case, an operation's release), it
 * belongs to them and reaches only subscribers working under them. Whether a
 * given subscriber gains is decided again when it is delivered, with that
 * subscriber's purpose and roles and the consent in force then.
 */
export async function announceAlertShared(unit: UnitOfWork, before: SharingSnapshot, cause: SharingCause, agreement: ExchangeAgreement, now = new Date()): Promise<void> {
  const after = await sharingSnapshot(unit.tx, before.owner, [...before.facts.keys()], before.agencies);
  const events: OutboxEvent[] = [];
  for (const [alertId, was] of before.facts) {
    for (const [agency, factsBefore] of was.perAgency) {
      const factsAfter = after.facts.get(alertId)?.perAgency.get(agency);
      if (!factsAfter) continue;
      const uses = risingUses(agency, factsBefore, factsAfter, now, agreement);
      if (uses.length === 0) continue;
      const [first] = uses;
      const one = first!.caseReference !== null && uses.every((use) => use.code === first!.code && use.caseReference === first!.caseReference);
      const details: AlertSharedDetails = { cause, before: storedFacts(factsBefore) };
      events.push({
        kind: 'ALERT_SHARED',
        recipientAgency: agency,
        recipientUnit: null,
        purpose: one ? first!.code : null,
        caseReference: one ? first!.caseReference : null,
        watchEntryId: null,
        alertId,
        details: details as unknown as Prisma.InputJsonValue,
      });
    }
  }
  unit.emit(...events);
}

/** An ALERT_SHARED event as the owner's node delivers it: the record at the tier the subscriber has now. */
export interface AlertSharedView {
  seq: number;
  at: Date;
  cause: SharingCause;
  alert: AlertView;
}

export type AlertSharedDeliveryResult =
  | { delivered: true; shared: AlertSharedView }
  | { delivered: false; reason: WithheldReason | 'CONSENT_NONE' | 'NOT_HIGHER'; alertId: string | null };

/**
 * Delivers one ALERT_SHARED event to an officer of the agency it is for,
 * deciding now, with the consent in force at this moment and for that
 * officer's roles and declared purpose, whether the officer sees the record
 * higher than before the change, and releasing it at that tier: a
 * revocation or a lowered rule between the change and the delivery counts,
 * and a record the officer sees no higher (another purpose, fewer roles)
 * delivers nothing.
 */
export async function deliverAlertShared(
  prisma: PrismaClient,
  officer: Officer,
  purpose: DeclaredPurpose,
  owner: string,
  seq: number,
  agreement: ExchangeAgreement,
  now = new Date(),
): Promise<AlertSharedDeliveryResult> {
  const deliverable = await deliverableEvent(prisma, officer, purpose, 'ALERT_SHARED', seq);
  if ('withheld' in deliverable) return { delivered: false, reason: deliverable.withheld, alertId: deliverable.event?.alertId ?? null };
  const { event } = deliverable;
  const [row] = await loadAlertRows(prisma, { caller: officer, owner, purpose, now, agreement }, [event.alertId]);
  const alert = row ? releaseAlert(row, owner, officer, purpose, now, agreement) : null;
  if (!row || !alert) return { delivered: false, reason: 'CONSENT_NONE', alertId: event.alertId };
  const details = event.details as unknown as AlertSharedDetails;
  const before = decideAccess(officer, purpose, factsBefore(details, owner, row.createdAt), now, agreement);
  if (tierRank(alert.access.tier) <= tierRank(before.tier)) return { delivered: false, reason: 'NOT_HIGHER', alertId: event.alertId };
  return { delivered: true, shared: { seq, at: event.at, cause: details.cause, alert } };
}
