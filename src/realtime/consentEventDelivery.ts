import type { ExchangeAgreement } from '../consent/agreement.ts';
import type { DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { ConsentRequestView } from '../domain/alertView.ts';
import type { PrismaClient } from '../generated/node/client.ts';
import type { Officer } from '../identity/officer.ts';
import { consentRequestFor } from '../node/records/consentRequestRecords.ts';
import type { ConsentEventDetails } from './consentEvents.ts';
import { deliverableEvent, type WithheldReason } from './eventDelivery.ts';
import { consentEventKinds, type ConsentEventKind } from './eventOutbox.ts';

/** A consent event as the owner's node delivers it: the request as the recipient may read it now. */
export interface ConsentEventView {
  seq: number;
  at: Date;
  kind: ConsentEventKind;
  request: ConsentRequestView;
}

export type ConsentEventDeliveryResult =
  | { delivered: true; event: ConsentEventView }
  | { delivered: false; reason: WithheldReason | 'NOT_VISIBLE'; alertId: string | null };

/**
 * Delivers one consent event to an officer it is addressed to: the request
 * (with its grant) exactly as consentRequests would list it to that officer
 * now — incoming to the owner's officers whose roles decide consent,
 * outgoing to the requesting agency — or nothing (another officer of the
 * owner, who may not see incoming requests).
 */
export async function deliverConsentEvent(
  prisma: PrismaClient,
  officer: Officer,
  purpose: DeclaredPurpose,
  owner: string,
  seq: number,
  agreement: ExchangeAgreement,
  now = new Date(),
): Promise<ConsentEventDeliveryResult> {
  const deliverable = await deliverableEvent(prisma, officer, purpose, consentEventKinds, seq);
  if ('withheld' in deliverable) return { delivered: false, reason: deliverable.withheld, alertId: deliverable.event?.alertId ?? null };
  const { event } = deliverable;
  const { requestId } = event.details as unknown as ConsentEventDetails;
  const request = await consentRequestFor(prisma, officer, owner, requestId, agreement, now);
  if (!request) return { delivered: false, reason: 'NOT_VISIBLE', alertId: event.alertId };
  return { delivered: true, event: { seq, at: event.at, kind: event.kind as ConsentEventKind, request } };
}
