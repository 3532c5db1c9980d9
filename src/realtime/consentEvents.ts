import type { ConsentEventKind, OutboxEvent } from './eventOutbox.ts';

/** Who a consent event is for: the owner's officers who decide consent, or the unit that asked. */
export type ConsentEventSide = 'OWNER' | 'REQUESTER';

/** What a consent event keeps beyond its recipient and record, at the owner's node only. */
export interface ConsentEventDetails {
  requestId: string;
  grantId?: string;
}

/** The request an event is about: its record, and who asked. */
interface RequestRef {
  id: string;
  alertId: string;
  requestingAgency: string;
  requestingUnit: string;
}

/**
 * A consent event for the outbox, naming the request and its record, never
 * what they say. For the owner's side it is addressed to the owner's agency
 * as a whole: the delivery gives it only to officers whose roles decide
 * consent (consentDeciders of the agreement), as consentRequests(INCOMING)
 * does. For the requester's side, to the unit that asked. It belongs to no
 * purpose: over HTTP, either side reads its requests under any operational
 * purpose.
 */
export function consentEvent(kind: ConsentEventKind, request: RequestRef, side: ConsentEventSide, owner: string, grantId?: string): OutboxEvent {
  const details: ConsentEventDetails = { requestId: request.id, ...(grantId ? { grantId } : {}) };
  return {
    kind,
    recipientAgency: side === 'OWNER' ? owner : request.requestingAgency,
    recipientUnit: side === 'OWNER' ? null : request.requestingUnit,
    purpose: null,
    caseReference: null,
    watchEntryId: null,
    alertId: request.alertId,
    details: { ...details },
  };
}
