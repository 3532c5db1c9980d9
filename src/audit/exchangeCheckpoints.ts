import type { JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import type { AuditDatabase } from './auditDatabase.ts';
import { gatewayParty } from './auditEntry.ts';
import { recordCheckpointConflicts } from './checkpointConflicts.ts';
import { checkpointNow, keepPeerCheckpoints, type CheckpointConflict } from './checkpointExchange.ts';
import type { CheckpointSigner, SignedCheckpoint } from './checkpoints.ts';
import { ErrorCode } from '../errors.ts';
import { checkpointExchangeScope } from '../identity/gatewayCredential.ts';
import type { Logger } from '../server/logger.ts';
import { AgencyUnavailableError, type NodeClient } from '../gateway/nodeClient.ts';
import { nodeOperations } from '../gateway/nodeOperations.ts';

/** What one exchange needs: the hub database, the nodes, the gateway's checkpoint key and every party's. */
export interface CheckpointExchangeOptions {
  prisma: AuditDatabase;
  nodes: NodeClient;
  signer: CheckpointSigner;
  partyKeys: ReadonlyMap<string, JWTVerifyGetKey>;
  logger: Logger;
}

/** What one exchange did. */
export interface CheckpointRound {
  /** The checkpoint each party signed (its current head), the parties that answered. */
  checkpoints: SignedCheckpoint[];
  /** Nodes that did not answer: left out of this round. */
  unavailable: AgencyUnavailableError[];
  /** Conflicts found, by the gateway or by a node, already logged and recorded. */
  conflicts: CheckpointConflict[];
}

/**
 * One exchange of checkpoints, by the parties themselves: every node signs
 * its head with its own key (asked with the gateway's service credential,
 * scope audit:checkpoints, which opens nothing else), the gateway signs its
 * own, and every party is given all of them and keeps verified copies of the
 * others'. A conflict, wherever it is found, is logged at once (error) and
 * recorded in the hub database's hub.checkpoint_conflict; the node that found one
 * has it in its own log as well. Run by the schedule (checkpointSchedule.ts)
 * and by the auditors' exchangeAuditCheckpoints.
 */
export async function exchangeCheckpoints({ prisma, nodes, signer, partyKeys, logger }: CheckpointExchangeOptions): Promise<CheckpointRound> {
  const service = { scope: checkpointExchangeScope } as const;
  const signed = await Promise.allSettled(
    nodes.agencies.map((agency) =>
      nodes.serviceRequest<{ createAuditCheckpoint: SignedCheckpoint }>(agency, nodeOperations.createAuditCheckpoint, {}, service),
    ),
  );
  const unavailable: AgencyUnavailableError[] = [];
  const checkpoints: SignedCheckpoint[] = [];
  for (const result of signed) {
    if (result.status === 'fulfilled') checkpoints.push(result.value.createAuditCheckpoint);
    else if (result.reason instanceof AgencyUnavailableError) unavailable.push(result.reason);
    else throw result.reason;
  }
  checkpoints.push(await checkpointNow(prisma, gatewayParty, signer));
  const all = checkpoints.map((checkpoint) => checkpoint.jws);

  const atGateway = await keepPeerCheckpoints(prisma, gatewayParty, all, partyKeys);
  for (const refusal of atGateway.refused) logger.error({ refusal }, `audit checkpoint refused: ${refusal}`);
  const conflicts = [...atGateway.conflicts];
  const kept = await Promise.allSettled(
    checkpoints
      .filter((checkpoint) => checkpoint.party !== gatewayParty)
      .map((checkpoint) =>
        nodes.serviceRequest(checkpoint.party, nodeOperations.keepPeerCheckpoints, { checkpoints: all }, service).catch((error: unknown) => {
          throw Object.assign(error as object, { detectingParty: checkpoint.party });
        }),
      ),
  );
  for (const result of kept) {
    if (result.status === 'fulfilled') continue;
    const error = result.reason as Error & { detectingParty: string };
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.CHECKPOINT_CONFLICT && Array.isArray(error.extensions.conflicts)) {
      conflicts.push(...reportedConflicts(error.extensions.conflicts, error.detectingParty));
    } else if (error instanceof AgencyUnavailableError) {
      unavailable.push(error);
    } else {
      logger.error({ err: error, party: error.detectingParty }, 'audit checkpoints refused by a party');
    }
  }
  for (const { receivedJws: _jws, ...conflict } of conflicts) {
    logger.error({ conflict }, `audit checkpoint conflict: ${conflict.party} signed two different heads for entry ${conflict.seq} (found by ${conflict.detectedBy})`);
  }
  await prisma.$transaction((tx) => recordCheckpointConflicts(tx, conflicts));
  return { checkpoints, unavailable, conflicts };
}

/** The conflicts a node reported, as far as they are well-formed; the node that answered is the one that found them. */
function reportedConflicts(reported: unknown[], detectedBy: string): CheckpointConflict[] {
  const hash = /^[0-9a-f]{64}$/;
  return reported.flatMap((value) => {
    const conflict = value as Partial<CheckpointConflict>;
    return typeof conflict.party === 'string' &&
      Number.isSafeInteger(conflict.seq) &&
      typeof conflict.keptHeadHash === 'string' &&
      hash.test(conflict.keptHeadHash) &&
      typeof conflict.receivedHeadHash === 'string' &&
      hash.test(conflict.receivedHeadHash)
      ? [{ party: conflict.party.slice(0, 8), seq: conflict.seq!, keptHeadHash: conflict.keptHeadHash, receivedHeadHash: conflict.receivedHeadHash, detectedBy }]
      : [];
  });
}
