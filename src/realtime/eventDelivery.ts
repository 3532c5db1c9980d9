import type { AuditCollector } from '../audit/auditCollector.ts';
import type { JsonValue } from '../audit/auditEntry.ts';
import { withheldRecordRef } from '../audit/recordRefs.ts';
import type { DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { Event, PrismaClient } from '../generated/node/client.ts';
import type { Officer } from '../identity/officer.ts';
import type { EventKind } from './eventOutbox.ts';

/** Why an event was not delivered; the audit entry says it. Each kind may add its own. */
export type WithheldReason = 'NOT_FOR_RECIPIENT' | 'OTHER_PURPOSE';

export type DeliverableEvent = { event: Event } | { withheld: WithheldReason; event: Event | null };

/**
 * The first step of every delivery at the owner's node, whatever the kind:
 * the event exists, is of the kind (or one of the kinds) asked, is addressed to the caller (its
 * agency, and its unit when it names one), and belongs to the purpose and
 * case the caller works under now (an event of another purpose is not the
 * caller's to receive, whatever consent would allow). The kind's own
 * delivery then decides, with the consent in force now, what it carries.
 */
export async function deliverableEvent(
  prisma: PrismaClient,
  officer: Officer,
  purpose: DeclaredPurpose,
  kind: EventKind | readonly EventKind[],
  seq: number,
): Promise<DeliverableEvent> {
  const kinds: readonly string[] = typeof kind === 'string' ? [kind] : kind;
  const event = Number.isSafeInteger(seq) && seq > 0 ? await prisma.event.findUnique({ where: { seq: BigInt(seq) } }) : null;
  if (!event || !kinds.includes(event.kind) || event.recipientAgency !== officer.agency || (event.recipientUnit !== null && event.recipientUnit !== officer.unit)) {
    return { withheld: 'NOT_FOR_RECIPIENT', event: null };
  }
  if (event.purpose !== null && (event.purpose !== purpose.code || event.caseReference !== purpose.caseReference)) {
    return { withheld: 'OTHER_PURPOSE', event };
  }
  return { event };
}

/** What a node's delivery field needs to write its disclosure entry. */
interface DeliveryContext {
  agency: string;
  officer: Officer;
  purpose: DeclaredPurpose;
  audit: AuditCollector;
}

const recipientOf = (officer: Officer) => ({ agency: officer.agency, unit: officer.unit, sub: officer.sub });

/**
 * Says in the owner's disclosure entry that an event was delivered, to whom,
 * and under which purpose and case: the officer's declared ones, which the
 * gateway's entry of the same push names too. The records released are
 * noted by the kind (their tier).
 */
export function noteDelivery({ officer, purpose, audit }: DeliveryContext, kind: EventKind, seq: number, details: Record<string, JsonValue> = {}): void {
  audit.details = { delivery: { kind, seq, ...details, recipient: recipientOf(officer), purpose: purpose.code, caseReference: purpose.caseReference } };
}

/** Says in the owner's log that an event was not delivered, and why; its record (if known) at NONE. */
export function noteWithheld({ agency, officer, audit }: DeliveryContext, kind: EventKind, seq: number, reason: string, alertId: string | null): void {
  if (alertId) audit.note(withheldRecordRef(agency, alertId));
  audit.details = { withheld: { kind, seq, reason, recipient: recipientOf(officer) } };
}
