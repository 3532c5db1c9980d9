import { activityPeriod, auditActivity } from '../../audit/auditActivity.ts';
import { listAuditEntries } from '../../audit/auditQueries.ts';
import { checkpointBatchError, checkpointNow, keepPeerCheckpoints } from '../../audit/checkpointExchange.ts';
import { addAuditTypes } from '../../domain/schema/addAuditTypes.ts';
import { connectionOf, countedConnection, forwardPage } from '../../domain/schema/pagination.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { checkpointExchangeScope } from '../../identity/gatewayCredential.ts';
import { auditRoles } from '../../identity/roles.ts';
import type { NodeContext } from '../context.ts';
import { builder } from './builder.ts';

export const audit = addAuditTypes(builder, {
  recordIdDescription: "A record's id within this agency (AuditRecord.id): every entry that names it.",
});

builder.queryFields((t) => ({
  auditEntries: t.connection(
    {
      type: audit.AuditEntry,
      description: "This agency's disclosure log, newest first: its own auditors and the joint oversight board only.",
      authScopes: { audit: auditRoles },
      args: { filter: t.arg({ type: audit.AuditFilter }) },
      resolve: async (_root, args, { prisma, officer, agency, auditDigestKey }) => {
        const page = forwardPage(args);
        const result = await listAuditEntries(prisma, officer, agency, args.filter, page, auditDigestKey);
        return connectionOf(result.views, result.cursors, result.hasNextPage, result.totalCount, page.after);
      },
    },
    ...countedConnection('AuditEntry'),
  ),
  auditChain: t.field({
    type: audit.AuditChainState,
    description: "This agency's own walk of its log: whether every link, hash and own checkpoint holds, and where it breaks.",
    authScopes: { audit: auditRoles },
    resolve: (_root, _args, { auditChain }) => auditChain.state(),
  }),
  auditActivity: t.field({
    type: audit.AuditActivity,
    description: "This agency's log in aggregate over a period, within the reader's scope (as auditEntries).",
    authScopes: { audit: auditRoles },
    args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
    resolve: (_root, args, { prisma, officer, agency }) => auditActivity(prisma, officer, agency, activityPeriod(args.from, args.to), true),
  }),
}));

/**
 * Checkpoints are exchanged by the parties themselves, on the hub's schedule:
 * only the gateway's service credential for audit:checkpoints reaches them,
 * never an officer (an auditor asks the gateway, which exchanges the same way).
 */
export function assertCheckpointService(context: NodeContext) {
  if (context.service !== checkpointExchangeScope) {
    throw hubError(ErrorCode.FORBIDDEN, "Checkpoints are exchanged by the hub gateway's service credential for audit:checkpoints only.");
  }
}

builder.mutationFields((t) => ({
  createAuditCheckpoint: t.field({
    type: audit.AuditCheckpoint,
    description:
      "Signs the head of this agency's log now with the agency's own checkpoint key, for the other parties to keep " +
      '(the checkpoint of that head if there is one). The gateway\u2019s service credential for audit:checkpoints only.',
    resolve: async (_root, _args, context) => {
      assertCheckpointService(context);
      const checkpoint = await checkpointNow(context.prisma, context.agency, context.checkpointSigner);
      // Stored signed in audit.checkpoint, which is the record; an entry per exchange would move the head
      // it signs, so that an idle log would grow at every exchange and never be covered.
      context.audit.written = true;
      return checkpoint;
    },
  }),
  keepPeerCheckpoints: t.int({
    description:
      "Keeps verified copies of other parties' checkpoints. One that contradicts a kept copy is refused with CHECKPOINT_CONFLICT " +
      '(extensions.conflicts) and recorded in this agency\u2019s own log. The gateway\u2019s service credential for audit:checkpoints only.',
    args: { checkpoints: t.arg.stringList({ required: true }) },
    resolve: async (_root, args, context) => {
      assertCheckpointService(context);
      const result = await keepPeerCheckpoints(context.prisma, context.agency, args.checkpoints, context.trustList.partyKeys);
      const error = checkpointBatchError(result);
      if (!error) {
        // Kept in audit.peer_checkpoint, the record of the exchange (see createAuditCheckpoint).
        context.audit.written = true;
        return result.kept;
      }
      // The operation's entry (outcome and code of the error) carries the evidence, in this agency's own log.
      const conflicts = result.conflicts.map(({ receivedJws: _jws, ...conflict }) => conflict);
      context.audit.details = { checkpointConflicts: conflicts, refused: result.refused };
      for (const conflict of conflicts) {
        context.logger.error({ conflict }, `audit checkpoint conflict: ${conflict.party} signed two different heads for entry ${conflict.seq}`);
      }
      throw error;
    },
  }),
}));
