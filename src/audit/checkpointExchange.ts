import type { JWTVerifyGetKey } from 'jose';
import type { AuditDatabase } from './auditDatabase.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { Logger } from '../server/logger.ts';
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

/**
 * Keeps verified copies of other parties' checkpoints. A copy whose head
 * differs from one already kept for the same entry is the sign of a
 * rewritten log: it is refused, loudly, and the first copy stays.
 */
export async function keepPeerCheckpoints(
  prisma: AuditDatabase,
  ownParty: string,
  checkpoints: readonly string[],
  partyKeys: ReadonlyMap<string, JWTVerifyGetKey>,
): Promise<number> {
  let kept = 0;
  for (const jws of checkpoints) {
    let party: string;
    try {
      party = readCheckpoint(jws).party;
    } catch {
      throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: checkpoints holds something that is not a checkpoint.', {
        issues: [{ path: 'checkpoints', message: 'is not a signed checkpoint' }],
      });
    }
    if (party === ownParty) continue;
    const keys = partyKeys.get(party);
    if (!keys) throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: no checkpoint key is trusted for party ${party}.`);
    try {
      await prisma.$transaction((tx) => storePeerCheckpoint(tx, jws, keys, party));
    } catch (error) {
      if (error instanceof CheckpointConflictError) {
        throw hubError(ErrorCode.CHECKPOINT_CONFLICT, `${error.message} The log of ${party} was rewritten.`, { party });
      }
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: a checkpoint of ${party} does not verify.`);
    }
    kept += 1;
  }
  return kept;
}

/**
 * Signs the head of the party's log on a timer, so that a later rewrite of
 * older entries contradicts a signature. Failures are logged, never thrown:
 * a missed checkpoint must not stop the service. Returns the function that
 * stops the timer.
 */
export function startPeriodicCheckpoints(
  prisma: AuditDatabase,
  party: string,
  signer: CheckpointSigner,
  everyMs: number,
  logger: Logger,
): () => void {
  const timer = setInterval(() => {
    checkpointNow(prisma, party, signer).catch((error: unknown) => logger.error({ err: error, party }, 'audit checkpoint failed'));
  }, everyMs).unref();
  return () => clearInterval(timer);
}
