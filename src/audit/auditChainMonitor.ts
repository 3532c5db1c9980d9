import pg from 'pg';
import { genesisHash } from './auditEntry.ts';
import { toSeq } from './entryColumns.ts';
import type { CheckpointKeys } from './checkpoints.ts';
import { verifyAuditChain, type VerifyResult } from './verifyAuditChain.ts';
import { readPeerEvidence, type PeerEvidence } from './peerVerification.ts';

/** What a party says of its own log after walking it: how long it is, where it ends, whether it holds. */
export interface AuditChainState {
  party: string;
  entryCount: number;
  headSeq: number;
  /** The genesis hash (64 zeros) for an empty log. */
  headHash: string;
  /** Null for an empty log. */
  headAt: Date | null;
  verified: boolean;
  /** The first entry that does not hold, and why; null when verified. */
  problem: { seq: number; reason: string } | null;
  /** When the walk this state comes from started. */
  checkedAt: Date;
}

/** Options of {@link createAuditChainMonitor}. */
export interface AuditChainMonitorOptions {
  /** Whose log: an agency code or GATEWAY. */
  party: string;
  /** The party's database (the application role reads the log). */
  databaseUrl: string;
  /** The party's checkpoint keys: every own checkpoint's signature is checked too. Default: none checked. */
  publicKeys?: CheckpointKeys;
  /** A state younger than this is served as it is, without walking the log again. Default 60,000 ms. */
  maxAgeMs?: number;
}

export interface AuditChainMonitor {
  /** The state of the log, walked now unless a walk younger than maxAgeMs is at hand or running. */
  state(): Promise<AuditChainState>;
  /** What this log holds of `party`'s: its checkpoint copies and witnessed heads (see peerVerification.ts). */
  evidenceOf(party: string): Promise<PeerEvidence>;
  /** This log walked now against what the other parties hold of it, with the party's checkpoint keys. */
  verify(evidence: PeerEvidence): Promise<VerifyResult>;
  close(): Promise<void>;
}

/**
 * Watches one party's own log for auditors: a walk of the whole chain with
 * {@link verifyAuditChain} (its own checkpoints and their signatures
 * included), in batches of 2,000 entries, so memory stays bounded whatever
 * the log's length. A walk reads every entry, so it is shared: while one
 * runs, every caller waits for that one, and its result serves for maxAgeMs;
 * however many consoles are open, a party walks its log at most once per
 * maxAgeMs, on one connection of its own.
 */
export function createAuditChainMonitor({ party, databaseUrl, publicKeys, maxAgeMs = 60_000 }: AuditChainMonitorOptions): AuditChainMonitor {
  // One connection: a walk is sequential, and it must not take the service's connections.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  // An idle connection the server ends is dropped by the pool; unheard, its error would end the process.
  pool.on('error', () => {});
  let last: { state: AuditChainState; done: number } | undefined;
  let running: Promise<AuditChainState> | undefined;

  const walk = async (): Promise<AuditChainState> => {
    const checkedAt = new Date();
    // On the pool, whose one connection queues them, the walk's read-ahead queries wait their turn.
    const result = await verifyAuditChain(pool, publicKeys ? { publicKeys } : {});
    // A walk that succeeded names the head it reached: entries appended after its last read were not walked,
    // so the log's head read now would claim more than was verified. A walk that failed is reported with the
    // log as it is now, counted apart from its head (an entry deleted from the middle makes them differ).
    const { rows } = result.ok
      ? await pool.query<{ seq: string; hash: string; at: Date; count: string }>('select seq, hash, at, seq as count from audit.entry where seq = $1', [result.count])
      : await pool.query<{ seq: string; hash: string; at: Date; count: string }>(
          'select seq, hash, at, (select count(*) from audit.entry) as count from audit.entry order by seq desc limit 1',
        );
    const head = rows[0];
    const headSeq = head ? toSeq(head.seq) : 0;
    return {
      party,
      entryCount: head ? toSeq(head.count) : 0,
      headSeq,
      headHash: head?.hash ?? genesisHash,
      headAt: head?.at ?? null,
      verified: result.ok,
      problem: result.ok ? null : { seq: result.firstBadSeq, reason: result.reason },
      checkedAt,
    };
  };

  return {
    state() {
      if (last && Date.now() - last.done < maxAgeMs) return Promise.resolve(last.state);
      running ??= walk()
        .then((state) => {
          last = { state, done: Date.now() };
          return state;
        })
        .finally(() => {
          running = undefined;
        });
      return running;
    },
    evidenceOf: (other) => readPeerEvidence(pool, other, `copy kept by ${party}`),
    verify: (evidence) => verifyAuditChain(pool, { peerCheckpoints: evidence.checkpoints, witnesses: evidence.witnesses, ...(publicKeys ? { publicKeys } : {}) }),
    async close() {
      await running?.catch(() => {});
      await pool.end();
    },
  };
}
