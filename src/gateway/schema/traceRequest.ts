import { responsePathAsArray } from 'graphql';
import type { TraceRequestView } from '../../domain/alertView.ts';
import { forwardPage } from '../../domain/schema/pagination.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { forwardArguments } from '../forwardArguments.ts';
import { ownedId, toGlobalId } from '../globalId.ts';
import { fanOutConnection, newestFirst } from '../mergeConnections.ts';
import type { NodePage } from '../nodeOperations.ts';
import { mutateOwned, requestNode } from '../ownerRequests.ts';
import { builder } from './builder.ts';
import { mergedConnection } from './mergedConnection.ts';
import { releasedRecord } from './releasedRecord.ts';
import { traceRequestRecordRef } from '../../audit/recordRefs.ts';
import { domain } from './domain.ts';

export const TraceRequest = builder.node(builder.objectRef<TraceRequestView>('TraceRequest'), {
  description:
    'A request to a partner agency to trace a seized firearm (iARMS-style lifecycle). Held by the requesting ' +
    "agency's node and visible to it and to the addressed agency.",
  id: { resolve: (request) => ownedId(request.requestingAgency, request.id) },
  isTypeOf: releasedRecord<TraceRequestView>('TraceRequest', (request, context) => traceRequestRecordRef(request, context.officer)),
  fields: (t) => ({
    alertId: t.id({
      nullable: true,
      description: 'Global id of the alert on which the firearm was reported; null where that record does not exist for you.',
      resolve: (request) => request.alertId && toGlobalId('Alert', request.requestingAgency, request.alertId),
    }),
    ...domain.fields.traceRequest(t),
  }),
});

builder.queryFields((t) => ({
  traceRequests: t.connection(
    {
      type: TraceRequest,
      description: 'Trace requests of your agency and those addressed to it, from every node, newest first.',
      authScopes: { operational: operationalRoles },
      args: { filter: t.arg({ type: domain.inputs.TraceRequestFilter }) },
      resolve: async (_root, args, context, info) => {
        const page = forwardPage(args);
        const merged = await fanOutConnection<TraceRequestView>({
          agencies: context.nodes.agencies,
          first: page.first,
          after: page.after,
          compare: newestFirst,
          fetchPage: (agency, first, after) =>
            requestNode<NodePage<TraceRequestView>>(context, agency, 'traceRequests', {
              first,
              after,
              ...forwardArguments(info, args, ['filter']),
            }),
        });
        context.agencyErrors.push(...merged.unavailable.map((error) => error.toGraphQLError(responsePathAsArray(info.path))));
        return merged;
      },
    },
    ...mergedConnection('TraceRequest'),
  ),
}));

builder.mutationFields((t) => ({
  submitTraceRequest: t.field({
    type: TraceRequest,
    description: "Asks a partner agency to trace a firearm on one of your agency's alerts.",
    authScopes: { operational: operationalRoles },
    args: { input: t.arg({ type: domain.inputs.SubmitTraceRequestInput, required: true }) },
    resolve: (_root, args, context, info) =>
      requestNode<TraceRequestView>(context, context.officer.agency, 'submitTraceRequest', forwardArguments(info, args, ['input'])),
  }),
  advanceTraceRequest: t.field({
    type: TraceRequest,
    description: 'Moves a trace request on: the addressed agency acknowledges, works and answers it; the requester closes it.',
    authScopes: { operational: operationalRoles },
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: domain.inputs.AdvanceTraceRequestInput, required: true }),
    },
    resolve: (_root, args, context, info) =>
      mutateOwned<TraceRequestView>(context, String(args.id), 'TraceRequest', 'advanceTraceRequest', forwardArguments(info, args, ['input'])),
  }),
}));
