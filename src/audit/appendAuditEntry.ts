import { Prisma } from '../generated/prisma/client.ts';
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
export async function readAuditHead(tx: Prisma.TransactionClient): Promise<AuditHead> {
  const rows = await tx.$queryRaw<{ seq: bigint; hash: string }[]>`
    select seq, hash from audit.entry order by seq desc limit 1`;
  return headOf(rows[0]);
}

const headOf = (last: { seq: bigint; hash: string } | undefined): AuditHead =>
  last ? { seq: toSeq(last.seq), hash: last.hash } : { seq: 0, hash: genesisHash };

/**
 * Takes the log's lock, then reads the head the next entry follows. Two
 * statements: a statement's snapshot is taken when it starts, so the head
 * must be read by one that starts after the lock is granted.
 *
 * The lock serialises appends only until the end of the transaction; on a
 * client outside a transaction it would be gone before the head is read, and
 * the entry would not commit with the work it records. The transaction-local
 * setting tells the two cases apart at no extra round trip.
 */
async function lockAuditHead(tx: Prisma.TransactionClient): Promise<AuditHead> {
  await tx.$queryRaw`select pg_advisory_xact_lock(${auditLogLockKey})::text, set_config('hub.audit_lock', 'held', true)`;
  const rows = await tx.$queryRaw<{ held: string | null; seq: bigint | null; hash: string | null }[]>`
    select current_setting('hub.audit_lock', true) as held, head.seq, head.hash
      from (select 1) as one
      left join (select seq, hash from audit.entry order by seq desc limit 1) as head on true`;
  const row = rows[0];
  if (row?.held !== 'held') {
    throw new TypeError('appendAuditEntry must run inside a transaction (prisma.$transaction(async (tx) => …))');
  }
  return headOf(row.seq === null || row.hash === null ? undefined : { seq: row.seq, hash: row.hash });
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
 */
export async function appendAuditEntry(
  tx: Prisma.TransactionClient,
  party: string,
  input: AuditEntryInput,
  now: Date = new Date(),
): Promise<AuditEntry> {
  const [entry] = await appendAuditEntries(tx, party, [input], now);
  return entry!;
}

/** Appends several entries, in order, under one lock and one insert. */
export async function appendAuditEntries(
  tx: Prisma.TransactionClient,
  party: string,
  inputs: readonly AuditEntryInput[],
  now: Date = new Date(),
): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  checkParty(party);
  if (Number.isNaN(now.getTime())) throw new RangeError('appendAuditEntries: invalid time');
  // Normalised before hashing: the hash must cover exactly what reads back.
  const normalized = inputs.map(normalizeAuditInput);
  const head = await lockAuditHead(tx);
  const entries = chainEntries(head, party, normalized, now);
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
async function insertEntries(tx: Prisma.TransactionClient, entries: readonly AuditEntry[]): Promise<void> {
  const rows = JSON.stringify(entries.map(toColumns));
  await tx.$executeRaw`
    insert into audit.entry (${columnList})
    select ${columnList} from json_populate_recordset(null::audit.entry, ${rows}::json)`;
}
