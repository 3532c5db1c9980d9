import type { PrismaClient, WatchEntry as WatchEntryRow } from '../../generated/node/client.ts';
import type { ChangeJournal } from '../../audit/auditCollector.ts';
import type { ExchangeAgreement } from '../../consent/agreement.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { isUuid } from '../../domain/ids.ts';
import type { WatchCriterion, WatchEntryInput } from '../../domain/watchInput.ts';
import type { WatchEntryView } from '../../domain/watchView.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { Officer } from '../../identity/officer.ts';
import { decodeCursor, encodeCursor } from '../../domain/cursor.ts';
import { inUnitOfWork } from './unitOfWork.ts';
import { matchNewEntry } from '../../realtime/watchMatching.ts';

export function toWatchEntryView(row: WatchEntryRow, now = new Date()): WatchEntryView {
  return {
    id: row.id,
    owner: row.ownerAgency,
    kind: row.kind,
    label: row.label,
    make: row.make,
    plateCountry: row.plateCountry,
    unitCode: row.ownerUnit,
    registeredBy: row.registeredBy,
    purpose: row.purpose,
    caseReference: row.caseReference,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    removedAt: row.removedAt,
    status: row.removedAt ? 'REMOVED' : row.expiresAt <= now ? 'EXPIRED' : 'ACTIVE',
  };
}

/** The columns a criterion is stored in (the rest are null), as every node stores and matches it. */
export function criterionColumns(criterion: WatchCriterion) {
  return {
    kind: criterion.kind,
    identifierKey: 'key' in criterion ? criterion.key : null,
    make: criterion.kind === 'FIREARM_SERIAL' ? criterion.make : null,
    plateCountry: criterion.kind === 'VEHICLE_PLATE' ? criterion.plateCountry : null,
    familyNameKey: criterion.kind === 'PERSON' ? criterion.familyNameKey : null,
    givenNameKey: criterion.kind === 'PERSON' ? criterion.givenNameKey : null,
    dateOfBirth: criterion.kind === 'PERSON' ? criterion.dateOfBirth : null,
  };
}

/** A watch entry matches until it expires or is removed, whichever comes first. */
export const isActive = (row: Pick<WatchEntryRow, 'removedAt' | 'expiresAt'>, now: Date) => row.removedAt === null && row.expiresAt > now;

/** The entry is the officer's unit's to see and remove; to anyone else it does not exist. */
const ownedBy = (officer: Officer) => ({ ownerAgency: officer.agency, ownerUnit: officer.unit });

/**
 * Stores a watch entry under the id the gateway gave it (the same at every
 * node it concerns), in the name of the officer's unit and for the declared
 * purpose, and matches it against the records already held: retro hits.
 * Registering the same id again returns the stored entry unchanged, so the
 * gateway may retry a node that did not answer.
 */
export async function createWatchEntry(
  prisma: PrismaClient,
  officer: Officer,
  owner: string,
  purpose: DeclaredPurpose,
  id: string,
  input: WatchEntryInput,
  journal: ChangeJournal,
  agreement: ExchangeAgreement,
  now = new Date(),
): Promise<{ entry: WatchEntryView; retroHits: number }> {
  if (!isUuid(id)) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: id must be a UUID.', { issues: [{ path: 'id', message: 'must be a UUID' }] });
  }
  const existing = await prisma.watchEntry.findUnique({ where: { id } });
  if (existing) {
    if (existing.ownerAgency !== officer.agency || existing.ownerUnit !== officer.unit) throw hubError(ErrorCode.NOT_FOUND, 'No watch entry with this id.');
    return { entry: toWatchEntryView(existing, now), retroHits: 0 };
  }
  return inUnitOfWork(prisma, journal, async (unit) => {
    const row = await unit.tx.watchEntry.create({
      data: {
        id,
        ownerAgency: officer.agency,
        ownerUnit: officer.unit,
        registeredBy: officer.sub,
        registeredRoles: [...officer.roles],
        purpose: purpose.code,
        caseReference: purpose.caseReference,
        label: input.label,
        ...criterionColumns(input.criterion),
        createdAt: now,
        expiresAt: input.expiresAt,
      },
    });
    const retro = await matchNewEntry(unit, owner, row, agreement, now);
    // The log says when the retro cap cut hits off: the unit got the newest it may see, not every one.
    await unit.journal([watchEntryRecord(row)], {
      change: 'watch entry registered',
      watchEntry: watchEntryRef(row),
      retroHits: retro.hits,
      ...(retro.capped ? { retroHitsCapped: true } : {}),
    });
    return { entry: toWatchEntryView(row, now), retroHits: retro.hits };
  });
}

/** A watch entry is a record of the watching agency, under the id every node stores it by. */
const watchEntryRecord = (row: WatchEntryRow) => ({ agency: row.ownerAgency, id: row.id });

/** What the log says of a watch entry: enough to know what was watched, by whom and for what. */
const watchEntryRef = (row: WatchEntryRow) => ({
  id: row.id,
  kind: row.kind,
  label: row.label,
  ownerAgency: row.ownerAgency,
  ownerUnit: row.ownerUnit,
  purpose: row.purpose,
  caseReference: row.caseReference,
  expiresAt: row.expiresAt.toISOString(),
});

/** Ends a watch entry of the officer's unit at once: it matches nothing more and its hits are no longer delivered. */
export async function removeWatchEntry(prisma: PrismaClient, officer: Officer, id: string, journal: ChangeJournal, now = new Date()): Promise<WatchEntryView> {
  const row = isUuid(id) ? await prisma.watchEntry.findFirst({ where: { id, ...ownedBy(officer) } }) : null;
  if (!row) throw hubError(ErrorCode.NOT_FOUND, 'No watch entry with this id.');
  if (row.removedAt) return toWatchEntryView(row, now);
  return inUnitOfWork(prisma, journal, async (unit) => {
    const removed = await unit.tx.watchEntry.update({ where: { id }, data: { removedAt: now, removedBy: officer.sub } });
    await unit.journal([watchEntryRecord(removed)], { change: 'watch entry removed', watchEntry: watchEntryRef(removed) });
    return toWatchEntryView(removed, now);
  });
}

/** The watch entries of the officer's unit, newest first, keyset-paginated. */
export async function listWatchEntries(prisma: PrismaClient, officer: Officer, page: { first: number; after: string | null }, now = new Date()) {
  const base = ownedBy(officer);
  const after = page.after ? decodeCursor(page.after) : undefined;
  const where = after
    ? { AND: [base, { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] }] }
    : base;
  const [rows, totalCount] = await Promise.all([
    prisma.watchEntry.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: page.first + 1 }),
    prisma.watchEntry.count({ where: base }),
  ]);
  const pageRows = rows.slice(0, page.first);
  return {
    views: pageRows.map((row) => toWatchEntryView(row, now)),
    cursors: pageRows.map((row) => encodeCursor({ at: row.createdAt, id: row.id })),
    hasNextPage: rows.length > page.first,
    totalCount,
  };
}
