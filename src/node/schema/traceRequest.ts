import { journaled } from '../../audit/auditCollector.ts';
import type { TraceRequestView } from '../../domain/alertView.ts';
import { advanceTraceRequestInput, parseInput, submitTraceRequestInput } from '../../domain/alertInput.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import {
  advanceTraceRequest,
  findTraceRequest,
  listTraceRequests,
  submitTraceRequest,
} from '../records/traceRequestRecords.ts';
import { traceRequestRecordRef } from '../../audit/recordRefs.ts';
import { assertOwnAgency } from './alert.ts';
import { builder } from './builder.ts';
import { domain } from './domain.ts';
import { connectionOf, countedConnection, forwardPage } from '../../domain/schema/pagination.ts';


export const TraceRequest = builder.objectRef<TraceRequestView>('TraceRequest').implement({
  description:
    'A request to a partner agency to trace a seized firearm (iARMS-style). Held by the requesting agency; ' +
    'visible to it and to the addressed agency.',
  fields: (t) => ({
    id: t.exposeID('id'),
    alertId: t.exposeID('alertId', { nullable: true }),
    ...domain.fields.traceRequest(t),
  }),
});

/** A trace request as the caller may see it now: the answer to a change made again under its idempotency key. */
async function foundTraceRequest(...args: Parameters<typeof findTraceRequest>): Promise<TraceRequestView> {
  const view = await findTraceRequest(...args);
  if (!view) throw hubError(ErrorCode.NOT_FOUND, 'No trace request with this id.');
  return view;
}

builder.queryFields((t) => ({
  traceRequests: t.connection(
    {
      type: TraceRequest,
      description: 'Trace requests held by this node that the caller may see, newest first.',
      authScopes: { operational: operationalRoles },
      args: { filter: t.arg({ type: domain.inputs.TraceRequestFilter }) },
      resolve: async (_root, args, { prisma, officer, purpose, agency, audit, agreement }) => {
        const page = forwardPage(args);
        const result = await listTraceRequests(prisma, { caller: officer, purpose, agreement }, agency, args.filter, page);
        audit.note(...result.views.map((view) => traceRequestRecordRef(view, officer)));
        return connectionOf(result.views, result.cursors, result.hasNextPage, result.totalCount, page.after);
      },
    },
    ...countedConnection('TraceRequest'),
  ),
  traceRequest: t.field({
    type: TraceRequest,
    nullable: true,
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { prisma, officer, purpose, agency, audit, agreement }) => {
      const view = await findTraceRequest(prisma, { caller: officer, purpose, agreement }, agency, String(id));
      if (view) audit.note(traceRequestRecordRef(view, officer));
      return view;
    },
  }),
}));

builder.mutationFields((t) => ({
  submitTraceRequest: t.field({
    type: TraceRequest,
    authScopes: { operational: operationalRoles },
    args: { input: t.arg({ type: domain.inputs.SubmitTraceRequestInput, required: true }) },
    resolve: (_root, args, context) => {
      assertOwnAgency(context, 'submit trace requests');
      const input = parseInput(submitTraceRequestInput, args.input);
      const access = { caller: context.officer, purpose: context.purpose, agreement: context.agreement };
      return journaled(context.audit, (journal) => submitTraceRequest(context.prisma, access, context.agency, input, journal), {
        db: context.prisma,
        replay: (applied) => foundTraceRequest(context.prisma, access, context.agency, applied.records[0]!.id),
      });
    },
  }),
  advanceTraceRequest: t.field({
    type: TraceRequest,
    description: 'Moves a trace request along its lifecycle: the addressed agency acknowledges and answers, the requester closes.',
    authScopes: { operational: operationalRoles },
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: domain.inputs.AdvanceTraceRequestInput, required: true }),
    },
    resolve: (_root, args, { prisma, officer, purpose, agency, audit, agreement }) =>
      journaled(
        audit,
        (journal) => advanceTraceRequest(prisma, { caller: officer, purpose, agreement }, agency, String(args.id), parseInput(advanceTraceRequestInput, args.input), journal),
        { db: prisma, replay: () => foundTraceRequest(prisma, { caller: officer, purpose, agreement }, agency, String(args.id)) },
      ),
  }),
}));
