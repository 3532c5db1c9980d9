import { genesisHash, type AuditDatabase } from './auditEntry.ts';
import { clearPartState, columnsFromRow, hashColumns, toSeq, type AuditEntryColumns } from './entryColumns.ts';
import { erasedRange } from './purgeClearVariables.ts';
import { agreement } from '../consent/agreement.ts';
import { readCheckpoint, readOwnCheckpoints, verifyCheckpoint, type CheckpointKeys, type CheckpointReference } from './checkpoints.ts';
import { readAuditEntries } from './exportAuditEntries.ts';
import type { WitnessReference } from './auditWitness.ts';

/** Options of {@link verifyAuditChain}. */
export interface VerifyOptions {
  /** Copies of the party's checkpoints kept by other parties (see readPeerCheckpoints). */
  peerCheckpoints?: readonly CheckpointReference[];
  /**
   * Heads of this log that other parties recorded in theirs (see
   * readPeerWitnesses): each must be in the chain, with its hash, as a
   * checkpoint must. Unsigned, and needing none: the peer's own chain vouches
   * for what it recorded.
   */
  witnesses?: readonly WitnessReference[];
  /** Keys of the party whose log this is: every checkpoint's signature is then checked. */
  publicKeys?: CheckpointKeys;
  /** Rows per query. Default 2,000. */
  batchSize?: number;
  /**
   * The retention no erasure may reach into: an entry's clear variables may be
   * erased only by an ERASURE entry dated at least this many days after it.
   * Default the agreement's `audit.clearRetentionDays`, which the database's
   * erasure function enforces as well (migration node 0010 / hub 0009).
   */
  retentionDays?: number;
}

export type VerifyResult =
  | { ok: true; count: number; headHash: string; checkpoints: number; witnesses: number }
  | { ok: false; firstBadSeq: number; reason: string };

type Failure = Extract<VerifyResult, { ok: false }>;

/** A checkpoint, or a peer's witness, to compare with the chain, with what is wrong with it on its own, if anything. */
interface Checkpoint {
  seq: number;
  headHash: string;
  witnessed: boolean;
  /** "the checkpoint signed at … (own)", "the head GATEWAY witnessed in its entry 12", for messages. */
  name: string;
  /** "the checkpoint … covers 12 entries", "GATEWAY witnessed entry 12 of XK's log in its entry 40", for messages. */
  reach: string;
  problem?: string;
}

/**
 * Walks the party's log in sequence order, a batch at a time (memory holds a
 * batch and the checkpoints), and checks that the sequence runs 1, 2, 3, …
 * without gaps, that each entry names its predecessor's hash, that each hash
 * is the one its content calls for, that no entry is dated before its
 * predecessor (entries are stamped under the log's lock), and that at every checkpoint, own or kept
 * by a partner, the chain reaches the head hash that was signed. Resolves
 * with the first bad sequence number and why, or with the count and head.
 *
 * Checkpoints are read before the entries: each covers a prefix committed
 * before it, so appends during the walk cannot make it fail.
 */
export async function verifyAuditChain(db: AuditDatabase, options: VerifyOptions = {}): Promise<VerifyResult> {
  const own = await readOwnCheckpoints(db);
  const checkpoints = await checkpointsToCompare([...own, ...(options.peerCheckpoints ?? [])], options.publicKeys);
  if (options.witnesses?.length) checkpoints.push(...options.witnesses.map(witnessToCompare));
  // Stable: at one entry the checkpoints come before the witnesses, whose messages are then the second word.
  checkpoints.sort((a, b) => a.seq - b.seq);
  const walk = new ChainWalk(checkpoints);
  const start = walk.begin();
  if (start) return start;
  let broken: { entry: AuditEntryColumns; next: AuditEntryColumns | undefined } | undefined;
  walking: for await (const batch of readAuditEntries(db, { batchSize: options.batchSize ?? 2_000 })) {
    for (let index = 0; index < batch.length; index += 1) {
      const entry = batch[index]!;
      const verdict = walk.step(entry);
      if (verdict === 'broken-link') {
        broken = { entry, next: batch[index + 1] };
        break walking;
      }
      if (verdict) return walk.settle(verdict);
    }
  }
  // Explained once the walk's reader has stopped: it may have a query in flight on the same client.
  const result = broken
    ? walk.settle(walk.brokenLink(broken.entry, broken.next ?? (await entryAfter(db, broken.entry.seq)), await seqOfHash(db, broken.entry.prev_hash)))
    : walk.finish();
  const early = await earlyErasure(db, walk.erasureEntries, options.retentionDays ?? agreement.audit.clearRetentionDays);
  return early && (result.ok || early.firstBadSeq < result.firstBadSeq) ? early : result;
}

/**
 * The first entry an ERASURE entry erased while it was younger than the
 * retention, if any: one look-up of the primary key's range per ERASURE
 * entry (a few a day), after the walk.
 */
async function earlyErasure(db: AuditDatabase, erasures: readonly ErasureRecord[], retentionDays: number): Promise<Failure | undefined> {
  let first: Failure | undefined;
  for (const erasure of erasures) {
    const cutoff = new Date(Date.parse(erasure.at) - retentionDays * 86_400_000);
    const { rows } = await db.query<{ seq: string; at: Date }>(
      `select seq, at from audit.entry
        where seq between $1 and $2 and seq < $3 and variables is null and variables_digest is not null and at >= $4
        order by seq limit 1`,
      [erasure.fromSeq, erasure.toSeq, erasure.seq, cutoff],
    );
    const row = rows[0];
    if (!row || (first && first.firstBadSeq <= toSeq(row.seq))) continue;
    first = fail(
      toSeq(row.seq),
      `entry ${erasure.seq} erased the clear variables of entry ${row.seq}, dated ${row.at.toISOString()}, within the retention of ` +
        `${retentionDays} days (the erasure is dated ${erasure.at}: nothing younger than ${cutoff.toISOString()} may be erased)`,
    );
  }
  return first;
}

/** An ERASURE entry met by the walk, with the range it says it erased. */
interface ErasureRecord {
  seq: number;
  at: string;
  fromSeq: number;
  toSeq: number;
}

async function entryAfter(db: AuditDatabase, seq: number): Promise<AuditEntryColumns | undefined> {
  const { rows } = await db.query('select * from audit.entry where seq > $1 order by seq limit 1', [seq]);
  return rows[0] ? columnsFromRow(rows[0]) : undefined;
}

/** Which entry has this hash (0 for the genesis hash), through the unique index on `hash`. */
async function seqOfHash(db: AuditDatabase, hash: string): Promise<number | undefined> {
  if (hash === genesisHash) return 0;
  const { rows } = await db.query<{ seq: string }>('select seq from audit.entry where hash = $1', [hash]);
  return rows[0] ? toSeq(rows[0].seq) : undefined;
}

/** Sorted checkpoints, each checked on its own: readable, untouched since signed, signed by the party. */
async function checkpointsToCompare(references: readonly CheckpointReference[], keys: CheckpointKeys | undefined): Promise<Checkpoint[]> {
  const checkpoints = await Promise.all(
    references.map(async (reference) => {
      const at = reference.at === undefined ? '' : ` signed at ${new Date(reference.at).toISOString()}`;
      const name = `the checkpoint${at}${reference.source ? ` (${reference.source})` : ''}`;
      const problem = await checkpointProblem(reference, keys);
      return { seq: reference.seq, headHash: reference.headHash, witnessed: false, name, reach: `${name} covers ${reference.seq} entries`, ...(problem ? { problem } : {}) };
    }),
  );
  return checkpoints.sort((a, b) => a.seq - b.seq);
}

/** A peer's witness as the walk compares it: like a checkpoint, named by the peer and the entry that recorded it. */
const witnessToCompare = ({ seq, hash, party, witness, witnessSeq }: WitnessReference): Checkpoint => ({
  seq,
  headHash: hash,
  witnessed: true,
  name: `the head ${witness} witnessed in its entry ${witnessSeq} (${short(hash)})`,
  reach: `${witness} witnessed entry ${seq} of ${party}'s log (hash ${short(hash)}) in its entry ${witnessSeq}`,
});

async function checkpointProblem(reference: CheckpointReference, keys: CheckpointKeys | undefined): Promise<string | undefined> {
  const name = `the checkpoint of entry ${reference.seq}${reference.source ? ` (${reference.source})` : ''}`;
  if (reference.jws === undefined) return keys ? `${name} carries no signature` : undefined;
  try {
    const claims = keys ? await verifyCheckpoint(reference.jws, keys) : readCheckpoint(reference.jws);
    if (claims.seq !== reference.seq || claims.headHash !== reference.headHash) {
      return `${name} was altered: it differs from what was signed (entry ${claims.seq}, head ${claims.headHash})`;
    }
    return undefined;
  } catch (error) {
    return `${name} does not verify: ${(error as Error).message}`;
  }
}

/**
 * The state of a walk along the chain: where it is, the hash it must meet
 * next, which checkpoints remain, and the first checkpoint the chain did not
 * meet. That one does not end the walk: a checkpoint only says that something
 * at or before it changed, and an inserted or re-hashed entry shows itself a
 * little further on, where the chain breaks, with its exact position.
 */
class ChainWalk {
  private expectedSeq = 1;
  private previousHash = genesisHash;
  private previousAt = Number.NEGATIVE_INFINITY;
  private nextCheckpoint = 0;
  private lastMatchingCheckpoint = 0;
  private lastMatchingWitnessed = false;
  private checkpointMismatch: Failure | undefined;
  private readonly erasures = new ErasureLedger();
  /** Every ERASURE entry walked, for the check of the retention after the walk. */
  readonly erasureEntries: ErasureRecord[] = [];

  constructor(private readonly checkpoints: readonly Checkpoint[]) {}

  /**
   * Checks one entry. Undefined when it is good; 'broken-link' when it does
   * not name its predecessor, which {@link brokenLink} explains with the
   * entry after it.
   */
  step(entry: AuditEntryColumns): Failure | 'broken-link' | undefined {
    if (entry.seq !== this.expectedSeq) return fail(this.expectedSeq, `entry ${this.expectedSeq} is missing`);
    if (entry.prev_hash !== this.previousHash) return 'broken-link';
    if (!isSelfConsistent(entry)) return fail(entry.seq, `entry ${entry.seq} was altered: its content does not match its hash`);
    const clear = clearPartState(entry);
    if (clear === 'altered') return fail(entry.seq, `entry ${entry.seq} was altered: its clear variables do not match their digest`);
    if (clear === 'erased') this.erasures.erased(entry.seq);
    else if (entry.variables !== null) this.erasures.kept();
    if (entry.kind === 'ERASURE') {
      const range = erasedRange(entry.details);
      this.erasures.recorded(range);
      if (range) this.erasureEntries.push({ seq: entry.seq, at: entry.at, ...range });
    }
    if (Date.parse(entry.at) < this.previousAt) {
      return fail(entry.seq, `entry ${entry.seq} is dated ${entry.at}, before entry ${entry.seq - 1} (${new Date(this.previousAt).toISOString()})`);
    }
    const problem = this.compareCheckpoints(entry);
    if (problem) return problem;
    this.advance(entry);
    return undefined;
  }

  /** The failure to report: the one found, or the checkpoint met earlier that the chain did not match. */
  settle(failure: Failure): Failure {
    const mismatch = this.checkpointMismatch;
    return mismatch && mismatch.firstBadSeq < failure.firstBadSeq ? mismatch : failure;
  }

  /**
   * Entry `seq` does not name entry seq - 1; `named` is the entry it names,
   * if there is one. If that is an earlier entry, the ones between were
   * inserted; if a later one, the entries were reordered. If entry `seq` is
   * intact and its successor (or a checkpoint) vouches for its hash, entry
   * seq - 1 was altered and re-hashed in place. Otherwise entry `seq` itself
   * is bad.
   */
  brokenLink(entry: AuditEntryColumns, next: AuditEntryColumns | undefined, named: number | undefined): Failure {
    const { seq } = entry;
    if (named !== undefined && named < seq - 1) {
      const inserted = named + 1 === seq - 1 ? `entry ${seq - 1} was` : `entries ${named + 1} to ${seq - 1} were`;
      return fail(named + 1, `${inserted} inserted: entry ${seq} names entry ${named} as its predecessor`);
    }
    if (named !== undefined && named > seq) {
      return fail(seq, `entry ${seq} names entry ${named} as its predecessor: the entries were reordered`);
    }
    if (seq > 1 && isSelfConsistent(entry) && this.isVouchedFor(entry, next)) {
      return fail(seq - 1, `entry ${seq - 1} was altered and its hash recomputed: entry ${seq} still names its former hash`);
    }
    return fail(seq, `entry ${seq} does not follow entry ${seq - 1}: it names ${short(entry.prev_hash)} as its predecessor, whose hash is ${short(this.previousHash)}`);
  }

  /** The end of the log: every checkpoint must have been reached. */
  finish(): VerifyResult {
    if (this.checkpointMismatch) return this.checkpointMismatch;
    const unrecorded = this.erasures.firstUnrecorded();
    if (unrecorded !== undefined) {
      return fail(unrecorded, `the clear variables of entry ${unrecorded} were erased, and no erasure entry after it records that`);
    }
    const count = this.expectedSeq - 1;
    const beyond = this.checkpoints[this.nextCheckpoint];
    if (beyond) {
      if (beyond.problem) return fail(count + 1, beyond.problem);
      const end = count === 0 ? 'the log is empty' : `the log ends at entry ${count}`;
      return fail(count + 1, `entry ${count + 1} is missing: ${beyond.reach}, ${end}`);
    }
    const witnesses = this.checkpoints.filter((checkpoint) => checkpoint.witnessed).length;
    return { ok: true, count, headHash: this.previousHash, checkpoints: this.checkpoints.length - witnesses, witnesses };
  }

  /** Checkpoints of the empty log, before entry 1: they can only name the genesis hash. */
  begin(): Failure | undefined {
    for (let checkpoint = this.checkpoints[this.nextCheckpoint]; checkpoint && checkpoint.seq <= 0; checkpoint = this.checkpoints[++this.nextCheckpoint]) {
      if (checkpoint.problem) return fail(1, checkpoint.problem);
      if (checkpoint.seq < 0 || checkpoint.headHash !== genesisHash) {
        return fail(1, `${checkpoint.name} of entry ${checkpoint.seq} does not describe an empty log`);
      }
    }
    return undefined;
  }

  /** Compares the checkpoints of this entry; a checkpoint that is bad on its own ends the walk. */
  private compareCheckpoints(entry: AuditEntryColumns): Failure | undefined {
    for (let checkpoint = this.checkpoints[this.nextCheckpoint]; checkpoint?.seq === entry.seq; checkpoint = this.checkpoints[++this.nextCheckpoint]) {
      if (checkpoint.problem) return fail(entry.seq, checkpoint.problem);
      if (this.checkpointMismatch) continue;
      if (checkpoint.headHash === entry.hash) {
        this.lastMatchingCheckpoint = entry.seq;
        this.lastMatchingWitnessed = checkpoint.witnessed;
        continue;
      }
      const since = this.lastMatchingCheckpoint;
      const matching = this.lastMatchingWitnessed ? 'the witnessed head' : 'the checkpoint';
      const where = since === 0 ? `entries 1 to ${entry.seq}` : `entries ${since + 1} to ${entry.seq} (${matching} of entry ${since} matches)`;
      this.checkpointMismatch = fail(entry.seq, `entry ${entry.seq} does not match ${checkpoint.name}: history was rewritten in ${where}`);
    }
    return undefined;
  }

  /** The entry's hash is vouched for by the next entry naming it, or by a checkpoint of that entry. */
  private isVouchedFor(entry: AuditEntryColumns, next: AuditEntryColumns | undefined): boolean {
    if (next?.seq === entry.seq + 1 && next.prev_hash === entry.hash) return true;
    return this.checkpoints.some((checkpoint) => checkpoint.seq === entry.seq && !checkpoint.problem && checkpoint.headHash === entry.hash);
  }

  private advance(entry: AuditEntryColumns): void {
    this.previousHash = entry.hash;
    this.previousAt = Date.parse(entry.at);
    this.expectedSeq = entry.seq + 1;
  }
}

/**
 * The erased entries met so far that no ERASURE entry has yet covered, as
 * runs of sequence numbers: an erasure takes every entry older than its
 * cut-off, so a handful of runs stands for any number of entries.
 */
class ErasureLedger {
  private runs: { from: number; to: number }[] = [];
  private keptSinceRun = false;

  erased(seq: number): void {
    const last = this.runs.at(-1);
    if (last && !this.keptSinceRun) last.to = seq;
    else this.runs.push({ from: seq, to: seq });
    this.keptSinceRun = false;
  }

  /** An entry that still has its clear part: the next erased entry starts a new run. */
  kept(): void {
    this.keptSinceRun = true;
  }

  recorded(range: { fromSeq: number; toSeq: number } | null): void {
    if (!range) return;
    this.runs = this.runs.flatMap(({ from, to }) => [
      ...(from < range.fromSeq ? [{ from, to: Math.min(to, range.fromSeq - 1) }] : []),
      ...(to > range.toSeq ? [{ from: Math.max(from, range.toSeq + 1), to }] : []),
    ]);
  }

  firstUnrecorded(): number | undefined {
    return this.runs[0]?.from;
  }
}

function isSelfConsistent(entry: AuditEntryColumns): boolean {
  const { hash, ...content } = entry;
  return hashColumns(content) === hash;
}

const fail = (firstBadSeq: number, reason: string): Failure => ({ ok: false, firstBadSeq, reason });

const short = (hash: string) => `${hash.slice(0, 12)}…`;
