import type { JWTVerifyGetKey } from 'jose';
import type { AuditDatabase } from './auditDatabase.ts';
import { ErrorCode, hubError } from '../errors.ts';
import {
  CheckpointConflictError,
  createCheckpoint,
  readCheckpoint,
  storePeerCheckpoint,
  type CheckpointSigner,
  type SignedCheckpoint,
} from './checkpoints.ts';

/** Signs the head of the party's log now (or returns the checkpoint of that head if there is one). */
export async function checkpointNow(prisma: AuditDatabase, party: string, signer: CheckpointSigner | undefined): Promise<SignedCheckpoint> {
  if (!signer) throw hubError(ErrorCode.INTERNAL_SERVER_ERROR, `No checkpoint key is configured for ${party}.`);
  return prisma.$transaction((tx) => createCheckpoint(tx, party, signer));
}

/** A checkpoint that contradicts one already kept: the evidence that `party`'s log was rewritten. */
export interface CheckpointConflict {
  /** Whose log the two checkpoints describe. */
  party: string;
  seq: number;
  keptHeadHash: string;
  receivedHeadHash: string;
  /** The party that found it (GATEWAY or an agency code). */
  detectedBy: string;
  /** The checkpoint received, as signed: known to the party that found it. */
  receivedJws?: string;
}

/** What {@link keepPeerCheckpoints} did with a batch. */
export interface KeptCheckpoints {
  /** Verified copies kept (or already kept). */
  kept: number;
  /** Checkpoints that contradict a kept copy; the kept copy stays. */
  conflicts: CheckpointConflict[];
  /** Checkpoints refused as unreadable, of no trusted party, or with a signature that does not verify. */
  refused: string[];
}

/**
 * Keeps verified copies of other parties' checkpoints, each in its own
 * transaction, so that one bad checkpoint does not cost the others. A copy
 * whose head differs from one already kept for the same entry is the sign of
 * a rewritten log: it is not kept (the first copy stays) and is returned as a
 * conflict, for the caller to raise, log and record. Nothing is thrown for
 * the batch: the caller decides how to answer (see {@link checkpointBatchError}).
 */
export async function keepPeerCheckpoints(
  prisma: AuditDatabase,
  ownParty: string,
  checkpoints: readonly string[],
  partyKeys: ReadonlyMap<string, JWTVerifyGetKey>,
): Promise<KeptCheckpoints> {
  const result: KeptCheckpoints = { kept: 0, conflicts: [], refused: [] };
  for (const jws of checkpoints) {
    let party: string;
    try {
      party = readCheckpoint(jws).party;
    } catch {
      result.refused.push('something that is not a signed checkpoint');
      continue;
    }
    if (party === ownParty) continue;
    const keys = partyKeys.get(party);
    if (!keys) {
      result.refused.push(`a checkpoint of ${party}, a party with no trusted checkpoint key`);
      continue;
    }
    try {
      await prisma.$transaction((tx) => storePeerCheckpoint(tx, jws, keys, party));
      result.kept += 1;
    } catch (error) {
      if (error instanceof CheckpointConflictError) {
        result.conflicts.push({
          party,
          seq: error.seq,
          keptHeadHash: error.storedHeadHash,
          receivedHeadHash: error.receivedHeadHash,
          detectedBy: ownParty,
          receivedJws: jws,
        });
      } else {
        result.refused.push(`a checkpoint of ${party} whose signature does not verify`);
      }
    }
  }
  return result;
}

/**
 * The error a batch with conflicts or refusals answers with: CHECKPOINT_CONFLICT
 * (with `extensions.conflicts`, so that the sender can record what was found)
 * before VALIDATION_FAILED. Null when every checkpoint was kept.
 */
export function checkpointBatchError({ conflicts, refused }: KeptCheckpoints) {
  if (conflicts.length) {
    const parties = [...new Set(conflicts.map((conflict) => conflict.party))].join(', ');
    return hubError(
      ErrorCode.CHECKPOINT_CONFLICT,
      `${conflicts.map((conflict) => `${conflict.party} signed two different heads for entry ${conflict.seq}`).join('; ')}: the log of ${parties} was rewritten.`,
      { conflicts: conflicts.map(({ receivedJws: _jws, ...conflict }) => conflict) },
    );
  }
  if (refused.length) {
    return hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: checkpoints holds ${refused.join('; ')}.`, {
      issues: refused.map((message) => ({ path: 'checkpoints', message })),
    });
  }
  return null;
}
