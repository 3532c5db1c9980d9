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

/** Why a hit was not delivered; the audit entry says it. */
export type WithheldReason = 'NOT_FOR_RECIPIENT' | 'WATCH_ENTRY_ENDED' | 'CONSENT_NONE';

export type HitDeliveryResult =
  | { delivered: true; hit: HitView; purpose: DeclaredPurpose }
  | { delivered: false; reason: WithheldReason; alertId: string | null; purpose: DeclaredPurpose | null };

/**
 * Delivers one hit event to an officer of the unit it is for, deciding now,
 * with the consent in force at this moment and for the purpose and case of
 * the watch entry, what the officer receives of the record: a revocation or
 * a policy change between the hit and its delivery counts, and a record the
 * officer may no longer see at all is withheld entirely. A removed or expired
 * watch entry delivers nothing more.
 */
export async function deliverHit(
  prisma: PrismaClient,
  officer: Officer,
  owner: string,
  seq: number,
  agreement: ExchangeAgreement,
  now = new Date(),
): Promise<HitDeliveryResult> {
  const event = Number.isSafeInteger(seq) && seq > 0 ? await prisma.event.findUnique({ where: { seq: BigInt(seq) } }) : null;
  if (!event || event.kind !== 'HIT' || !event.watchEntryId || event.recipientAgency !== officer.agency || event.recipientUnit !== officer.unit) {
    return { delivered: false, reason: 'NOT_FOR_RECIPIENT', alertId: null, purpose: null };
  }
  const entry = await prisma.watchEntry.findUnique({ where: { id: event.watchEntryId } });
  if (!entry || !isActive(entry, now)) return { delivered: false, reason: 'WATCH_ENTRY_ENDED', alertId: event.alertId, purpose: null };
  const purpose: DeclaredPurpose = { code: entry.purpose, caseReference: entry.caseReference };
  const [row] = await loadAlertRows(prisma, { caller: officer, owner, purpose, now, agreement }, [event.alertId]);
  const alert = row ? releaseAlert(row, owner, officer, purpose, now, agreement) : null;
  if (!alert) return { delivered: false, reason: 'CONSENT_NONE', alertId: event.alertId, purpose };
  const details = event.details as { matchedOn: SearchField; score: number; retro: boolean };
  // How it matched, and the score only where the recipient may read the matched value: as a search hit.
  const { matchedOn, match, score } = hitOf(alert, details.matchedOn, details.score, agreement);
  return {
    delivered: true,
    purpose,
    hit: { seq, at: event.at, watchEntryId: entry.id, matchedOn, match, score, retro: details.retro, alert },
  };
}
