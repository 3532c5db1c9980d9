import type { Prisma, PrismaClient, WatchEntry as WatchEntryRow } from '../../generated/node/client.ts';
import type { ChangeJournal } from '../../audit/auditCollector.ts';
import type { ExchangeAgreement } from '../../consent/agreement.ts';
import type { TermDigest } from '../../audit/auditEntry.ts';
import { termDigest, type DigestKey, type TermKind } from '../../audit/termDigests.ts';
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

/** What the row of a new watch entry holds. */
function watchEntryData(officer: Officer, purpose: DeclaredPurpose, id: string, { criterion, label, expiresAt }: WatchEntryInput, now: Date) {
  return {
    id,
    ownerAgency: officer.agency,
    ownerUnit: officer.unit,
    registeredBy: officer.sub,
    registeredRoles: [...officer.roles],
    purpose: purpose.code,
    caseReference: purpose.caseReference,
    label,
    ...criterionColumns(criterion),
    createdAt: now,
    expiresAt,
  } satisfies Prisma.WatchEntryUncheckedCreateInput;
}

function assertUuid(id: string) {
  if (!isUuid(id)) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: id must be a UUID.', { issues: [{ path: 'id', message: 'must be a UUID' }] });
  }
}

/** The stored entry with this id, read under a lock on the id: a registration and a withdrawal of one id follow one another. */
async function lockedEntry(tx: Prisma.TransactionClient, id: string): Promise<WatchEntryRow | null> {
  await tx.$executeRaw`select pg_advisory_xact_lock(hashtextextended(${id}, 7350221006))`;
  return tx.watchEntry.findUnique({ where: { id } });
}

/** An entry of another unit does not exist for the caller. */
function assertOwned(row: WatchEntryRow, officer: Officer) {
  if (row.ownerAgency !== officer.agency || row.ownerUnit !== officer.unit) throw hubError(ErrorCode.NOT_FOUND, 'No watch entry with this id.');
}

/**
 * Stores a watch entry under the id the gateway gave it (the same at every
 * node it concerns), in the name of the officer's unit and for the declared
 * purpose, and matches it against the records already held: retro hits.
 * Registering the same id again returns the stored entry unchanged (removed,
 * if it was withdrawn first), so the gateway may send it again.
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
  assertUuid(id);
  const stored = await prisma.watchEntry.findUnique({ where: { id } });
  if (stored) {
    assertOwned(stored, officer);
    return { entry: toWatchEntryView(stored, now), retroHits: 0 };
  }
  return inUnitOfWork(prisma, journal, async (unit) => {
    const existing = await lockedEntry(unit.tx, id);
    if (existing) {
      // Withdrawn (or registered) a moment ago by another call: nothing to change, and nothing to journal.
      assertOwned(existing, officer);
      throw new StoredMeanwhile(toWatchEntryView(existing, now));
    }
    const row = await unit.tx.watchEntry.create({ data: watchEntryData(officer, purpose, id, input, now) });
    const retro = await matchNewEntry(unit, owner, row, agreement, now);
    // The log says when the retro cap cut hits off: the unit got the newest it may see, not every one.
    await unit.journal([watchEntryRecord(row)], {
      change: 'watch entry registered',
      watchEntry: watchEntryRef(row),
      retroHits: retro.hits,
      ...(retro.capped ? { retroHitsCapped: true } : {}),
    });
    return { entry: toWatchEntryView(row, now), retroHits: retro.hits };
  }).catch((error: unknown) => {
    if (error instanceof StoredMeanwhile) return { entry: error.entry, retroHits: 0 };
    throw error;
  });
}

/** The entry was stored by another call while this one waited for its lock: answered with it, nothing written. */
class StoredMeanwhile extends Error {
  constructor(readonly entry: WatchEntryView) {
    super('stored meanwhile');
  }
}

/**
 * A watch entry is a record of the watching agency, under the id every node
 * stores it by, released to its own unit in full.
 */
const watchEntryRecord = (row: WatchEntryRow) => ({ agency: row.ownerAgency, id: row.id, type: 'WATCH_ENTRY' as const, tier: 'FULL', basis: 'DOMESTIC' });

/**
 * What the log says of a watch entry: enough to know what kind of identifier
 * was watched, by whom and for what, never the identifier itself, which the
 * entry keeps only as keyed digests (see {@link watchEntryDigests}).
 */
const watchEntryRef = (row: WatchEntryRow) => ({
  id: row.id,
  kind: row.kind,
  ownerAgency: row.ownerAgency,
  ownerUnit: row.ownerUnit,
  purpose: row.purpose,
  caseReference: row.caseReference,
  expiresAt: row.expiresAt.toISOString(),
});

/**
 * The keyed digests of what a stored watch entry watches, as the digests of
 * the registration's own input are made (src/audit/auditVariables.ts): the
 * stored keys are normalised as the digests normalise, so an auditor's
 * "who watched this plate" finds the removal as it finds the registration.
 */
export function watchEntryDigests(row: WatchEntryRow, key: DigestKey): TermDigest[] {
  const digest = (path: string, kind: TermKind, value: string | null): TermDigest[] =>
    value === null ? [] : [{ path: `watchEntry.${path}`, kind, digest: termDigest(key, kind, value) }];
  switch (row.kind) {
    case 'FIREARM_SERIAL':
      // `_` stands for an unreadable character in the key; the serial's digest drops it as it drops `?`.
      return digest('serialNumber', 'SERIAL', row.identifierKey);
    case 'VEHICLE_PLATE':
      return digest('plate', 'PLATE', row.identifierKey);
    case 'VIN':
      return digest('vin', 'VIN', row.identifierKey);
    case 'DOCUMENT':
      return digest('documentNumber', 'DOCUMENT_NUMBER', row.identifierKey);
    case 'PERSON':
      return [
        ...digest('person.familyName', 'NAME', row.familyNameKey),
        ...digest('person.givenName', 'NAME', row.givenNameKey),
        ...digest('person.dateOfBirth', 'DATE_OF_BIRTH', row.dateOfBirth?.toISOString().slice(0, 10) ?? null),
      ];
    default:
      return [];
  }
}

/** Ends a watch entry of the officer's unit at once: it matches nothing more and its hits are no longer delivered. */
export async function removeWatchEntry(
  prisma: PrismaClient,
  officer: Officer,
  id: string,
  journal: ChangeJournal,
  digestKey: DigestKey,
  now = new Date(),
): Promise<WatchEntryView> {
  const row = isUuid(id) ? await prisma.watchEntry.findFirst({ where: { id, ...ownedBy(officer) } }) : null;
  if (!row) throw hubError(ErrorCode.NOT_FOUND, 'No watch entry with this id.');
  if (row.removedAt) return toWatchEntryView(row, now);
  return inUnitOfWork(prisma, journal, async (unit) => {
    const removed = await unit.tx.watchEntry.update({ where: { id }, data: { removedAt: now, removedBy: officer.sub } });
    await unit.journal([watchEntryRecord(removed)], { change: 'watch entry removed', watchEntry: watchEntryRef(removed) }, watchEntryDigests(removed, digestKey));
    return toWatchEntryView(removed, now);
  });
}

/**
 * Ends the watch entry with this id of the officer's unit whether or not this
 * node stored it yet: stored, it is removed; not yet stored, it is stored
 * removed, so that its registration, should it arrive later (the gateway gave
 * up waiting for it), finds it and changes nothing. How the gateway undoes a
 * registration it could not complete at every node.
 */
export async function withdrawWatchEntry(
  prisma: PrismaClient,
  officer: Officer,
  purpose: DeclaredPurpose,
  id: string,
  input: WatchEntryInput,
  journal: ChangeJournal,
  now = new Date(),
): Promise<WatchEntryView> {
  assertUuid(id);
  return inUnitOfWork(prisma, journal, async (unit) => {
    const existing = await lockedEntry(unit.tx, id);
    if (existing) assertOwned(existing, officer);
    if (existing?.removedAt) throw new StoredMeanwhile(toWatchEntryView(existing, now));
    const removal = { removedAt: now, removedBy: officer.sub };
    const withdrawn = existing
      ? await unit.tx.watchEntry.update({ where: { id }, data: removal })
      : await unit.tx.watchEntry.create({ data: { ...watchEntryData(officer, purpose, id, input, now), ...removal } });
    // The withdrawal's input carries the identifier (digested as its variables); a stored entry's own keys are digested too.
    await unit.journal([watchEntryRecord(withdrawn)], { change: existing ? 'watch entry removed' : 'watch entry withdrawn before it was stored', watchEntry: watchEntryRef(withdrawn) });
    return toWatchEntryView(withdrawn, now);
  }).catch((error: unknown) => {
    if (error instanceof StoredMeanwhile) return error.entry;
    throw error;
  });
}

/** A stored watch entry of the officer's unit as it is now (the answer to a change sent again). */
export async function findWatchEntry(prisma: PrismaClient, officer: Officer, id: string, now = new Date()): Promise<WatchEntryView> {
  const row = isUuid(id) ? await prisma.watchEntry.findFirst({ where: { id, ...ownedBy(officer) } }) : null;
  if (!row) throw hubError(ErrorCode.NOT_FOUND, 'No watch entry with this id.');
  return toWatchEntryView(row, now);
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
