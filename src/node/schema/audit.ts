import { listAuditEntries } from '../../audit/auditQueries.ts';
import { addAuditTypes } from '../../domain/schema/addAuditTypes.ts';
import { connectionOf, forwardPage } from '../../domain/schema/pagination.ts';
import { auditRoles } from '../../identity/roles.ts';
import { builder } from './builder.ts';

export const audit = addAuditTypes(builder);

builder.queryFields((t) => ({
  auditEntries: t.connection(
    {
      type: audit.AuditEntry,
      description: "This agency's disclosure log, newest first: its own auditors and the joint oversight board only.",
      authScopes: { role: auditRoles },
      args: { filter: t.arg({ type: audit.AuditFilter }) },
      resolve: async (_root, args, { prisma, officer, agency }) => {
        const page = forwardPage(args);
        const result = await listAuditEntries(prisma, officer, agency, args.filter, page);
        return connectionOf(result.views, result.cursors, result.hasNextPage, result.totalCount, page.after);
      },
    },
    {
      name: 'AuditEntryConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (connection) => (connection as { totalCount: number }).totalCount }) }),
    },
    { name: 'AuditEntryEdge' },
  ),
}));
