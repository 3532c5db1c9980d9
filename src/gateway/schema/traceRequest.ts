import { responsePathAsArray } from 'graphql';
import type { TraceRequestView } from '../../domain/alertView.ts';
import { forwardPage } from '../../domain/schema/pagination.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import type { GatewayContext } from '../context.ts';
import { forwardArguments } from '../forwardArguments.ts';
import { ownedId, parseGlobalId, toGlobalId } from '../globalId.ts';
import { fanOutConnection } from '../mergeConnections.ts';
import { nodeOperations, type NodePage } from '../nodeOperations.ts';
import { builder } from './builder.ts';
import { domain } from './domain.ts';

export const TraceRequest = builder.node(builder.objectRef<TraceRequestView>('TraceRequest'), {
  description:
    'A request to a partner agency to trace a seized firearm (iARMS-style lifecycle). Held by the requesting ' +
    "agency's node and visible to it and to the addressed agency.",
  id: { resolve: (request) => ownedId(request.requestingAgency, request.id) },
  loadOne: (globalIdPart, context) => {
    const [agency = '', localId = ''] = globalIdPart.split(/:(.*)/s);
    return fetchTraceRequest(context, agency, localId);
  },
  fields: (t) => ({
    reference: t.exposeString('reference'),
    requestingAgency: t.exposeString('requestingAgency'),
    addressedTo: t.exposeString('addressedTo'),
    alertId: t.id({
      description: 'Global id of the alert on which the firearm was reported.',
      resolve: (request) => toGlobalId('Alert', request.requestingAgency, request.alertId),
    }),
    alertReference: t.exposeString('alertReference'),
    firearm: t.expose('firearm', { type: domain.objects.Firearm }),
    question: t.exposeString('question'),
    answer: t.exposeString('answer', { nullable: true }),
    status: t.expose('status', { type: domain.enums.TraceRequestStatus }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    transitions: t.expose('transitions', { type: [domain.objects.TraceRequestTransition] }),
  }),
});

async function fetchTraceRequest(context: GatewayContext, agency: string, localId: string) {
  if (!context.nodes.has(agency)) return null;
  const data = await context.nodes.request<{ traceRequest: TraceRequestView | null }>(
    agency,
    nodeOperations.traceRequest,
    { id: localId },
    context.officerToken,
  );
  return data.traceRequest;
}

function newestFirst(a: { agency: string; node: TraceRequestView }, b: { agency: string; node: TraceRequestView }) {
  const byTime = new Date(b.node.createdAt).getTime() - new Date(a.node.createdAt).getTime();
  if (byTime !== 0) return byTime;
  if (a.agency !== b.agency) return a.agency < b.agency ? -1 : 1;
  return a.node.id < b.node.id ? 1 : a.node.id > b.node.id ? -1 : 0;
}

builder.queryFields((t) => ({
  traceRequests: t.connection(
    {
      type: TraceRequest,
      description: 'Trace requests of your agency and those addressed to it, from every node, newest first.',
      authScopes: { role: operationalRoles },
      args: { filter: t.arg({ type: domain.inputs.TraceRequestFilter }) },
      resolve: async (_root, args, context, info) => {
        const page = forwardPage(args);
        const merged = await fanOutConnection<TraceRequestView>({
          agencies: context.nodes.agencies,
          first: page.first,
          after: page.after,
          compare: newestFirst,
          fetchPage: async (agency, first, after) => {
            const data = await context.nodes.request<{ traceRequests: NodePage<TraceRequestView> }>(
              agency,
              nodeOperations.traceRequests,
              { first, after, ...forwardArguments(info, args, ['filter']) },
              context.officerToken,
            );
            return data.traceRequests;
          },
        });
        context.agencyErrors.push(...merged.unavailable.map((error) => error.toGraphQLError(responsePathAsArray(info.path))));
        return merged;
      },
    },
    {
      name: 'TraceRequestConnection',
      fields: (c) => ({
        totalCount: c.int({ resolve: (connection) => (connection as { totalCount: number }).totalCount }),
        unavailableAgencies: c.stringList({
          resolve: (connection) => (connection as { unavailableAgencies: string[] }).unavailableAgencies,
        }),
      }),
    },
    { name: 'TraceRequestEdge' },
  ),
}));

builder.mutationFields((t) => ({
  submitTraceRequest: t.field({
    type: TraceRequest,
    description: "Asks a partner agency to trace a firearm on one of your agency's alerts.",
    authScopes: { role: operationalRoles },
    args: { input: t.arg({ type: domain.inputs.SubmitTraceRequestInput, required: true }) },
    resolve: async (_root, args, context, info) => {
      const data = await context.nodes.request<{ submitTraceRequest: TraceRequestView }>(
        context.officer.agency,
        nodeOperations.submitTraceRequest,
        forwardArguments(info, args, ['input']),
        context.officerToken,
      );
      return data.submitTraceRequest;
    },
  }),
  advanceTraceRequest: t.field({
    type: TraceRequest,
    description: 'Moves a trace request on: the addressed agency acknowledges, works and answers it; the requester closes it.',
    authScopes: { role: operationalRoles },
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: domain.inputs.AdvanceTraceRequestInput, required: true }),
    },
    resolve: async (_root, args, context, info) => {
      const { agency, localId } = parseGlobalId(String(args.id), 'TraceRequest');
      if (!context.nodes.has(agency)) throw hubError(ErrorCode.NOT_FOUND, 'No trace request with this id.');
      const data = await context.nodes.request<{ advanceTraceRequest: TraceRequestView }>(
        agency,
        nodeOperations.advanceTraceRequest,
        { id: localId, ...forwardArguments(info, args, ['input']) },
        context.officerToken,
      );
      return data.advanceTraceRequest;
    },
  }),
}));
