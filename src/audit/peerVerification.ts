import type { AuditDatabase } from './auditEntry.ts';
import { readPeerCheckpoints, type CheckpointReference } from './checkpoints.ts';
import { readPeerWitnesses, type WitnessReference } from './auditWitness.ts';
import type { VerifyResult } from './verifyAuditChain.ts';

/** What one party's log holds of another's: the copies of its checkpoints it keeps, and the heads of it it witnessed. */
export interface PeerEvidence {
  checkpoints: CheckpointReference[];
  witnesses: WitnessReference[];
}

/** What the log in `db` holds of `party`'s log, its checkpoint copies named `source` in messages ("copy kept by MK"). */
export async function readPeerEvidence(db: AuditDatabase, party: string, source: string): Promise<PeerEvidence> {
  return {
    checkpoints: await readPeerCheckpoints(db, party, source),
    witnesses: await readPeerWitnesses(db, party),
  };
}

/** One party's log as the verification against the peers reaches it: locally (the gateway's) or through its node. */
export interface PartyLog {
  party: string;
  /** What this log holds of `party`'s. */
  evidenceOf(party: string): Promise<PeerEvidence>;
  /** This log walked against what the others hold of it (verifyAuditChain, with the party's checkpoint keys). */
  verify(evidence: PeerEvidence): Promise<VerifyResult>;
}

/** What the verification against the peers found of one party's log. */
export interface PeerCheck {
  party: string;
  /** VERIFIED, BROKEN, or UNAVAILABLE (the party's log could not be walked). */
  status: 'VERIFIED' | 'BROKEN' | 'UNAVAILABLE';
  /** Entries walked (VERIFIED). */
  entryCount: number | null;
  /** The first entry that does not hold (BROKEN). */
  firstBadSeq: number | null;
  /** Why it does not hold, or why it could not be walked. */
  reason: string | null;
  /** The parties whose records of it were compared with it. */
  witnesses: string[];
  checkedAt: Date;
}

/**
 * Every party's log checked against what every other party holds of it, as
 * `audit verify --all` does: the copies of its checkpoints the others keep
 * and the heads of it they recorded. A party whose log cannot be reached is
 * UNAVAILABLE, and what it holds of the others is left out (said in `witnesses`).
 */
export async function verifyAgainstPeers(logs: readonly PartyLog[], now = () => new Date()): Promise<PeerCheck[]> {
  const checks: PeerCheck[] = [];
  for (const log of logs) {
    const checkedAt = now();
    const evidence: PeerEvidence = { checkpoints: [], witnesses: [] };
    const witnesses: string[] = [];
    for (const peer of logs) {
      if (peer === log) continue;
      try {
        const held = await peer.evidenceOf(log.party);
        evidence.checkpoints.push(...held.checkpoints);
        evidence.witnesses.push(...held.witnesses);
        witnesses.push(peer.party);
      } catch {
        // A peer that does not answer vouches for nothing this time; the others still do.
      }
    }
    try {
      const result = await log.verify(evidence);
      checks.push(
        result.ok
          ? { party: log.party, status: 'VERIFIED', entryCount: result.count, firstBadSeq: null, reason: null, witnesses, checkedAt }
          : { party: log.party, status: 'BROKEN', entryCount: null, firstBadSeq: result.firstBadSeq, reason: result.reason, witnesses, checkedAt },
      );
    } catch (error) {
      checks.push({ party: log.party, status: 'UNAVAILABLE', entryCount: null, firstBadSeq: null, reason: (error as Error).message, witnesses, checkedAt });
    }
  }
  return checks;
}
