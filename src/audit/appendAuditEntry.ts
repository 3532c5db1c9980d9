import type { AuditDatabase, AuditTransaction } from './auditDatabase.ts';
import { checkParty, genesisHash, type AuditEntry, type AuditEntryContent, type AuditEntryInput } from './auditEntry.ts';
import { entryHash, toColumns, toSeq } from './entryColumns.ts';
import { normalizeAuditInput } from './normalizeAuditInput.ts';

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

/**
 * Most a stamp may differ from the database's clock when the function checks
 * it: the writer estimates the clock from the last answer, and on a busy
 * machine a call may wait for the lock behind a change's transaction.
 */
const maxClockSkewMs = 2_000;
/**
 * Attempts of one append: the first on the guess, the second on the head the
 * first was answered with. Inside a transaction the second cannot miss (the
 * first took the lock, held until commit); outside, see appendCommittedEntries.
 */
const maxAttempts = 2;

/** What this process last learned of a party's log: a guess at its head, and at the database's clock. */
interface ChainHint {
  head: AuditHead & { at: Date | null };
  /** The database's clock minus this process's, in milliseconds, when the head was learned. */
  clockOffsetMs: number;
}

/**
 * The head the last append left, so that the next one can chain on it and
 * write in the same statement that takes the lock. Only a guess: another
 * process, another client of this one, or a rolled-back transaction makes it
 * wrong, and the function then inserts nothing and answers with the real
 * head, at the cost of one round trip. A client that appends outside
 * transactions (a group-committing writer) keeps its own, keyed by the
 * client; appends inside transactions share one per party.
 */
const clientHints = new WeakMap<object, ChainHint>();
const partyHints = new Map<string, ChainHint>();
const hintOf = (key: object | string) => (typeof key === 'string' ? partyHints.get(key) : clientHints.get(key));
const keepHint = (key: object | string, hint: ChainHint) => (typeof key === 'string' ? partyHints.set(key, hint) : clientHints.set(key, hint));

interface AppendAnswer {
  appended: boolean;
  head_seq: bigint | null;
  head_hash: string | null;
  head_at: Date | null;
  clock: Date;
}

/**
 * Chains and inserts `inputs` with audit.append_entries (migration
 * node/0007, hub/0008): one statement takes the log's lock, reads the head
 * and inserts the entries if they continue it; when they do not (the guess
 * was stale), it answers with the head and the clock, and the entries are
 * chained again on that. Inside a transaction the lock is then held, so the
 * second attempt is the last; outside, every attempt is a transaction of its
 * own, and another process may win the next one too.
 */
async function chainAndInsert(
  db: Pick<AuditTransaction, '$queryRaw'>,
  party: string,
  inputs: readonly AuditEntryContent[],
  at: Date | undefined,
  hintKey: object | string,
): Promise<AuditEntry[]> {
  let hint = hintOf(hintKey);
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const entries = hint ? chainEntries(hint.head, party, inputs, at ?? stampAfter(hint)) : null;
    const rows = entries ? JSON.stringify(entries.map(toColumns)) : null;
    const [answer] = await db.$queryRaw<AppendAnswer[]>`
      select appended, head_seq, head_hash, head_at, clock
        from audit.append_entries(${rows}::json, ${at === undefined ? maxClockSkewMs : null}::integer)`;
    if (!answer) throw new Error('audit.append_entries answered nothing');
    hint = {
      head: answer.head_seq === null || answer.head_hash === null ? { seq: 0, hash: genesisHash, at: null } : { seq: toSeq(answer.head_seq), hash: answer.head_hash, at: answer.head_at },
      clockOffsetMs: answer.clock.getTime() - Date.now(),
    };
    keepHint(hintKey, hint);
    if (answer.appended && entries) return entries;
    if (at !== undefined && hint.head.at !== null && at.getTime() < hint.head.at.getTime()) {
      throw new RangeError(`appendAuditEntries: ${at.toISOString()} is before entry ${hint.head.seq} (${hint.head.at.toISOString()})`);
    }
  }
  throw new StaleHeadError(`appendAuditEntries: the log of ${party} moved on ${maxAttempts} times in a row; nothing was appended`);
}

/** The log moved on under every attempt of an append outside a transaction (another writer won each). */
class StaleHeadError extends Error {}

/**
 * The time the next entry is stamped with: the database's clock as the last
 * answer put it, to the millisecond `audit.entry.at` keeps, and never before
 * the head's own time, so that time order is sequence order whatever the
 * clocks of the processes. The function refuses a stamp off its clock by more
 * than {@link maxClockSkewMs}.
 */
function stampAfter({ head, clockOffsetMs }: ChainHint): Date {
  const now = Date.now() + Math.round(clockOffsetMs);
  return new Date(head.at === null ? now : Math.max(now, head.at.getTime()));
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
 * The entry is stamped with the database's clock (see {@link stampAfter});
 * `at` replaces that time, for tests and tools that build a log with known
 * times, and is still never earlier than the head's.
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

/** Appends several entries, in order, under one lock and one insert, all with the same time, inside the caller's transaction. */
export async function appendAuditEntries(
  tx: AuditTransaction,
  party: string,
  inputs: readonly AuditEntryInput[],
  at?: Date,
): Promise<AuditEntry[]> {
  // The client itself would append in a transaction of its own, not with the work. Prisma hides $connect from a transaction's client.
  if (typeof (tx as { $connect?: unknown }).$connect === 'function') {
    throw new TypeError('appendAuditEntry must run inside a transaction (prisma.$transaction(async (tx) => …))');
  }
  return append(tx, party, inputs, at, party);
}

/**
 * Appends entries that record no change of their own (disclosures,
 * consultations, denials) in a transaction of their own: one statement,
 * committed (durable) when the promise resolves, usually in one round trip.
 * `db` is the party's client, not a transaction.
 *
 * Outside a transaction each attempt is a transaction of its own, and
 * another busy writer (a second gateway process on the same log) may win
 * every one: after two misses the append runs in a transaction, where the
 * first call takes the lock and keeps it, so the next cannot miss. Progress
 * is bounded whatever the contention: at most four calls.
 */
export async function appendCommittedEntries(db: Pick<AuditDatabase, '$queryRaw' | '$transaction'>, party: string, inputs: readonly AuditEntryInput[]): Promise<AuditEntry[]> {
  try {
    return await append(db, party, inputs, undefined, db);
  } catch (error) {
    if (!(error instanceof StaleHeadError)) throw error;
    return db.$transaction((tx) => append(tx, party, inputs, undefined, db));
  }
}

async function append(
  db: Pick<AuditTransaction, '$queryRaw'>,
  party: string,
  inputs: readonly AuditEntryInput[],
  at: Date | undefined,
  hintKey: object | string,
): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  checkParty(party);
  if (at !== undefined && Number.isNaN(at.getTime())) throw new RangeError('appendAuditEntries: invalid time');
  // Normalised before hashing: the hash must cover exactly what reads back.
  return chainAndInsert(db, party, inputs.map(normalizeAuditInput), at, hintKey);
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
