import type { PrismaClient } from '../generated/node/client.ts';
import type { ExchangeAgreement } from '../consent/agreement.ts';
import type { DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { HitView } from '../domain/watchView.ts';
import type { Officer } from '../identity/officer.ts';
import { releaseAlert } from '../node/records/alertRelease.ts';
import { loadAlertRows } from '../node/records/loadAlertRows.ts';
import { isActive } from '../node/records/watchEntryRecords.ts';
import { hitOf } from '../node/records/searchRecords.ts';
import type { SearchField } from '../domain/schema/addSearchTypes.ts';
import { deliverableEvent, type WithheldReason } from './eventDelivery.ts';

export type HitDeliveryResult =
  | { delivered: true; hit: HitView }
  | { delivered: false; reason: WithheldReason | 'WATCH_ENTRY_ENDED' | 'CONSENT_NONE'; alertId: string | null };

/**
 * Delivers one hit event to an officer of the unit it is for, working under
 * the purpose and case of the watch entry, deciding now, with the consent in
 * force at this moment and for that officer's roles and declared purpose,
 * what the officer receives of the record: a revocation or a policy change
 * between the hit and its delivery counts, and a record the officer may no
 * longer see at all is withheld entirely. A removed or expired watch entry
 * delivers nothing more.
 */
export async function deliverHit(prisma: PrismaClient, officer: Officer, purpose: DeclaredPurpose, owner: string, seq: number, agreement: ExchangeAgreement, now = new Date()): Promise<HitDeliveryResult> {
  const deliverable = await deliverableEvent(prisma, officer, purpose, 'HIT', seq);
  if ('withheld' in deliverable) return { delivered: false, reason: deliverable.withheld, alertId: deliverable.event?.alertId ?? null };
  const { event } = deliverable;
  const entry = event.watchEntryId ? await prisma.watchEntry.findUnique({ where: { id: event.watchEntryId } }) : null;
  if (!entry || !isActive(entry, now)) return { delivered: false, reason: 'WATCH_ENTRY_ENDED', alertId: event.alertId };
  const [row] = await loadAlertRows(prisma, { caller: officer, owner, purpose, now, agreement }, [event.alertId]);
  const alert = row ? releaseAlert(row, owner, officer, purpose, now, agreement) : null;
  if (!alert) return { delivered: false, reason: 'CONSENT_NONE', alertId: event.alertId };
  const details = event.details as { matchedOn: SearchField; score: number; retro: boolean };
  // How it matched, and the score only where the recipient may read the matched value: as a search hit.
  const { matchedOn, match, score } = hitOf(alert, details.matchedOn, details.score, agreement);
  return { delivered: true, hit: { seq, at: event.at, watchEntryId: entry.id, matchedOn, match, score, retro: details.retro, alert } };
}
