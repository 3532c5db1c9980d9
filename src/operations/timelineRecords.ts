import type { ChangeJournal } from '../audit/auditCollector.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { isUuid } from '../domain/ids.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { TimelineEntry } from '../generated/hub/client.ts';
import type { Officer } from '../identity/officer.ts';
import { ownedId, parseGlobalId } from '../gateway/globalId.ts';
import type { TimelineEntryInput } from './operationInput.ts';
import { changeOperation } from './operationRecords.ts';

const invalid = (path: string, message: string) => hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${path} ${message}.`, { issues: [{ path, message }] });

/**
 * The refusal of an alert an entry names that is not linked to the operation,
 * or that the author may not see: the same words for both, so that naming an
 * id does not tell whether a withheld record is linked.
 */
export const notLinked = (index: number) => invalid(`input.alertIds.${index}`, 'is not an alert linked to this operation');

/**
 * A member writes a dated entry into the operation's record. Entries are
 * never changed: a correction is a new entry naming the one it corrects (of
 * the same operation). Alerts it names must be linked to the operation.
 */
export async function addTimelineEntry(
  prisma: HubPrismaClient,
  officer: Officer,
  operationId: string,
  input: TimelineEntryInput,
  journal: ChangeJournal,
): Promise<TimelineEntry> {
  const alertIds = input.alertIds.map((id, index) => {
    const { agency, localId } = parseGlobalId(id, 'Alert', `input.alertIds.${index}`);
    return ownedId(agency, localId);
  });
  return changeOperation(prisma, officer, operationId, journal, async (change) => {
    const { tx, now } = change;
    if (input.correctsId) {
      const corrected = isUuid(input.correctsId) ? await tx.timelineEntry.findFirst({ where: { id: input.correctsId, operationId } }) : null;
      if (!corrected) throw invalid('input.correctsId', 'is not an entry of this operation');
    }
    const links = await tx.operationAlertLink.findMany({ where: { operationId }, select: { alertAgency: true, alertId: true } });
    const linked = new Set(links.map((link) => ownedId(link.alertAgency, link.alertId)));
    const unlinked = alertIds.findIndex((id) => !linked.has(id));
    if (unlinked >= 0) throw notLinked(unlinked);
    const entry = await tx.timelineEntry.create({
      data: {
        operationId,
        kind: input.kind,
        occurredAt: input.occurredAt,
        text: input.text,
        personsArrested: input.personsArrested ?? null,
        alertIds: [...new Set(alertIds)],
        correctsId: input.correctsId ?? null,
        authorSub: officer.sub,
        authorAgency: officer.agency,
        authorUnit: officer.unit,
        recordedAt: now,
      },
    });
    await change.announce('TIMELINE_ENTRY_ADDED', entry.id);
    return { result: entry, details: { change: 'timeline entry added', entry: entry.id, kind: entry.kind, corrects: entry.correctsId } };
  });
}
