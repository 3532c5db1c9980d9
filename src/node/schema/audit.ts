import { activityPeriod, auditActivity } from '../../audit/auditActivity.ts';
import { listAuditEntries } from '../../audit/auditQueries.ts';
import { checkpointNow, keepPeerCheckpoints } from '../../audit/checkpointExchange.ts';
import { addAuditTypes } from '../../domain/schema/addAuditTypes.ts';
import { connectionOf, countedConnection, forwardPage } from '../../domain/schema/pagination.ts';
import { auditRoles } from '../../identity/roles.ts';
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
      resolve: async (_root, args, { prisma, officer, agency }) => {
        const page = forwardPage(args);
        const result = await listAuditEntries(prisma, officer, agency, args.filter, page);
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

const checkpointRoles = [...auditRoles, 'admin'] as const;

builder.mutationFields((t) => ({
  createAuditCheckpoint: t.field({
    type: audit.AuditCheckpoint,
    description: "Signs the head of this agency's log now, for the other parties to keep.",
    authScopes: { audit: checkpointRoles },
    resolve: (_root, _args, { prisma, agency, checkpointSigner }) => checkpointNow(prisma, agency, checkpointSigner),
  }),
  keepPeerCheckpoints: t.int({
    description: "Keeps verified copies of other parties' checkpoints; refuses one that contradicts a kept copy.",
    authScopes: { audit: checkpointRoles },
    args: { checkpoints: t.arg.stringList({ required: true }) },
    resolve: (_root, args, { prisma, agency, trustList }) => keepPeerCheckpoints(prisma, agency, args.checkpoints, trustList.partyKeys),
  }),
}));
