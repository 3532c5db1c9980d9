import { Prisma } from '../generated/node/client.ts';
import type { AuditTransaction } from './auditDatabase.ts';
import {
  checkParty,
  entryColumnNames,
  entryHash,
  genesisHash,
  normalizeAuditInput,
  toColumns,
  toSeq,
  type AuditEntry,
  type AuditEntryContent,
  type AuditEntryInput,
} from './auditEntry.ts';

/**
 * Key of the transaction-level advisory lock that serialises appends to the
 * log of a database (advisory locks are per database). Any constant works, as
 * long as nothing else uses it; the migration runner uses 7_350_221_004.
 */
export const auditLogLockKey = 7_350_221_003n;

/** The last entry of the log: its sequence number and hash (0 and the genesis hash when empty). */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** Reads the head of the log (no lock taken). */
export async function readAuditHead(tx: AuditTransaction): Promise<AuditHead> {
  const rows = await tx.$queryRaw<{ seq: bigint; hash: string }[]>`
    select seq, hash from audit.entry order by seq desc limit 1`;
  return headOf(rows[0]);
}

const headOf = (last: { seq: bigint; hash: string } | undefined): AuditHead =>
  last ? { seq: toSeq(last.seq), hash: last.hash } : { seq: 0, hash: genesisHash };

/** The head the next entry follows, and the time it is stamped with. */
interface LockedHead extends AuditHead {
  /** The head's time; null when the log is empty. */
  at: Date | null;
  /**
   * The database's clock read after the lock was granted, to the
   * millisecond `audit.entry.at` keeps, and never before the head's own time:
   * so time order is sequence order, whatever the clocks of the processes.
   */
  now: Date;
}

/**
 * Takes the log's lock, then reads the head the next entry follows and the
 * time it is stamped with. Two statements: a statement's snapshot is taken
 * when it starts, so the head must be read by one that starts after the lock
 * is granted; and clock_timestamp(), unlike now(), is the time of that read,
 * not of the transaction's start.
 *
 * The lock serialises appends only until the end of the transaction; on a
 * client outside a transaction it would be gone before the head is read, and
 * the entry would not commit with the work it records. The transaction-local
 * setting tells the two cases apart at no extra round trip.
 */
async function lockAuditHead(tx: AuditTransaction): Promise<LockedHead> {
  await tx.$queryRaw`select pg_advisory_xact_lock(${auditLogLockKey})::text, set_config('hub.audit_lock', 'held', true)`;
  const rows = await tx.$queryRaw<{ held: string | null; seq: bigint | null; hash: string | null; at: Date | null; now: Date }[]>`
    select current_setting('hub.audit_lock', true) as held, head.seq, head.hash, head.at,
           greatest(date_trunc('milliseconds', clock_timestamp()), head.at) as now
      from (select 1) as one
      left join (select seq, hash, at from audit.entry order by seq desc limit 1) as head on true`;
  const row = rows[0];
  if (row?.held !== 'held') {
    throw new TypeError('appendAuditEntry must run inside a transaction (prisma.$transaction(async (tx) => …))');
  }
  const head = headOf(row.seq === null || row.hash === null ? undefined : { seq: row.seq, hash: row.hash });
  return { ...head, at: row.at, now: row.now };
}

/**
 * Appends one entry to the party's log inside the caller's transaction, so
 * that the change or release it records and the entry commit together or not
 * at all: if the entry cannot be written, the caller's transaction fails.
 *
 * The transaction must be READ COMMITTED (the default): the head is read
 * after the lock is taken, and an older snapshot would miss the entry the
 * previous holder committed (the insert would then fail on the primary key,
 * never fork the chain). The lock is held until the caller commits, so append
 * as late in the transaction as the work allows.
 *
 * The entry is stamped under the lock with the database's clock (see
 * {@link LockedHead}); `at` replaces that time, for tests and tools that build
 * a log with known times, and is still never earlier than the head's.
 */
export async function appendAuditEntry(
  tx: AuditTransaction,
  party: string,
  input: AuditEntryInput,
  at?: Date,
): Promise<AuditEntry> {
  const [entry] = await appendAuditEntries(tx, party, [input], at);
  return entry!;
}

/** Appends several entries, in order, under one lock and one insert, all with the same time. */
export async function appendAuditEntries(
  tx: AuditTransaction,
  party: string,
  inputs: readonly AuditEntryInput[],
  at?: Date,
): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  checkParty(party);
  if (at !== undefined && Number.isNaN(at.getTime())) throw new RangeError('appendAuditEntries: invalid time');
  // Normalised before hashing: the hash must cover exactly what reads back.
  const normalized = inputs.map(normalizeAuditInput);
  const head = await lockAuditHead(tx);
  if (at !== undefined && head.at !== null && at.getTime() < head.at.getTime()) {
    throw new RangeError(`appendAuditEntries: ${at.toISOString()} is before entry ${head.seq} (${head.at.toISOString()})`);
  }
  const entries = chainEntries(head, party, normalized, at ?? head.now);
  await insertEntries(tx, entries);
  return entries;
}

/** The entries that follow `head`, each hashed over the one before. */
export function chainEntries(head: AuditHead, party: string, contents: readonly AuditEntryContent[], at: Date): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let previous = head;
  for (const content of contents) {
    const unhashed = { ...content, seq: previous.seq + 1, at, party };
    const entry: AuditEntry = { ...unhashed, prevHash: previous.hash, hash: entryHash(previous.hash, unhashed) };
    entries.push(entry);
    previous = entry;
  }
  return entries;
}

const columnList = Prisma.raw(entryColumnNames.map((name) => `"${name}"`).join(', '));

/**
 * One statement whatever the number of entries: the rows travel as one JSON
 * parameter that PostgreSQL expands into records of `audit.entry`.
 */
async function insertEntries(tx: AuditTransaction, entries: readonly AuditEntry[]): Promise<void> {
  const rows = JSON.stringify(entries.map(toColumns));
  await tx.$executeRaw`
    insert into audit.entry (${columnList})
    select ${columnList} from json_populate_recordset(null::audit.entry, ${rows}::json)`;
}
