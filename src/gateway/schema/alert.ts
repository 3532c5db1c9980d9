import { responsePathAsArray } from 'graphql';
import type { AlertView } from '../../domain/alertView.ts';
import { agencyInfo } from '../../domain/agencies.ts';
import { forwardPage } from '../../domain/schema/pagination.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import type { GatewayContext } from '../context.ts';
import { ownedId, parseGlobalId } from '../globalId.ts';
import { forwardArguments } from '../forwardArguments.ts';
import { fanOutConnection } from '../mergeConnections.ts';
import { nodeOperations, type NodePage } from '../nodeOperations.ts';
import { Agency } from './agency.ts';
import { builder } from './builder.ts';
import { domain } from './domain.ts';

export const Alert = builder.node(builder.objectRef<AlertView>('Alert'), {
  description:
    'A firearms or explosives alert, owned by one agency and answered by its node. The reference, kind, status and ' +
    "contact point are what a partner learns on a hit; `summary` and `personalData` are present only at the tier the owner's node released.",
  id: { resolve: (alert) => ownedId(alert.owner, alert.id) },
  loadOne: (globalIdPart, context) => {
    const [agency = '', localId = ''] = globalIdPart.split(/:(.*)/s);
    return fetchAlert(context, agency, localId);
  },
  fields: (t) => ({
    localId: t.exposeID('id', { description: "The id within the owner agency's records." }),
    reference: t.exposeString('reference'),
    owner: t.field({ type: Agency, resolve: (alert) => agencyInfo(alert.owner) }),
    kind: t.expose('kind', { type: domain.enums.AlertKind }),
    status: t.expose('status', { type: domain.enums.AlertStatus }),
    contactPoint: t.expose('contactPoint', { type: domain.objects.ContactPoint }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    version: t.exposeInt('version', { description: 'Give it back as expectedVersion when updating.' }),
    summary: t.expose('summary', { type: domain.objects.AlertSummary, nullable: true }),
    personalData: t.expose('personalData', { type: domain.objects.AlertPersonalData, nullable: true }),
  }),
});

async function fetchAlert(context: GatewayContext, agency: string, localId: string): Promise<AlertView | null> {
  if (!context.nodes.has(agency)) return null;
  const data = await context.nodes.request<{ alert: AlertView | null }>(agency, nodeOperations.alert, { id: localId }, context.officerToken);
  return data.alert;
}

/** Newest reported first across agencies; ties broken by agency, then by the node's own order. */
function newestFirst(a: { agency: string; node: AlertView }, b: { agency: string; node: AlertView }) {
  const byTime = new Date(b.node.createdAt).getTime() - new Date(a.node.createdAt).getTime();
  if (byTime !== 0) return byTime;
  if (a.agency !== b.agency) return a.agency < b.agency ? -1 : 1;
  return a.node.id < b.node.id ? 1 : a.node.id > b.node.id ? -1 : 0;
}

function selectedAgencies(context: GatewayContext, requested: readonly string[] | null | undefined): string[] {
  if (!requested?.length) return [...context.nodes.agencies];
  const unknown = requested.filter((agency) => !context.nodes.has(agency));
  if (unknown.length) {
    throw hubError(ErrorCode.AGENCY_UNKNOWN, `Not agencies of the exchange: ${unknown.join(', ')}.`, { agencies: unknown });
  }
  return [...new Set(requested)];
}

builder.queryFields((t) => ({
  alerts: t.connection(
    {
      type: Alert,
      description:
        'Alerts of every agency (or of the agencies named), merged newest first. An agency whose node does not answer ' +
        'is listed in unavailableAgencies and in the errors; its alerts come on later pages once it answers again.',
      authScopes: { role: operationalRoles },
      args: {
        filter: t.arg({ type: domain.inputs.AlertFilter }),
        agencies: t.arg.stringList({ description: 'Only these agencies (codes). Default: all.' }),
      },
      resolve: async (_root, args, context, info) => {
        const page = forwardPage(args);
        const merged = await fanOutConnection<AlertView>({
          agencies: selectedAgencies(context, args.agencies),
          first: page.first,
          after: page.after,
          compare: newestFirst,
          fetchPage: async (agency, first, after) => {
            const data = await context.nodes.request<{ alerts: NodePage<AlertView> }>(
              agency,
              nodeOperations.alerts,
              { first, after, ...forwardArguments(info, args, ['filter']) },
              context.officerToken,
            );
            return data.alerts;
          },
        });
        const path = responsePathAsArray(info.path);
        context.agencyErrors.push(...merged.unavailable.map((error) => error.toGraphQLError(path)));
        return merged;
      },
    },
    {
      name: 'AlertConnection',
      fields: (c) => ({
        totalCount: c.int({ resolve: (connection) => (connection as { totalCount: number }).totalCount }),
        unavailableAgencies: c.stringList({
          description: 'Agencies whose node did not answer for this page.',
          resolve: (connection) => (connection as { unavailableAgencies: string[] }).unavailableAgencies,
        }),
      }),
    },
    { name: 'AlertEdge' },
  ),
  alert: t.field({
    type: Alert,
    nullable: true,
    description: "One alert, asked of its owner's node only.",
    authScopes: { role: operationalRoles },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => {
      const { agency, localId } = parseGlobalId(String(args.id), 'Alert');
      return fetchAlert(context, agency, localId);
    },
  }),
}));

builder.mutationFields((t) => ({
  createAlert: t.field({
    type: Alert,
    description: "Reports an alert in the officer's own agency. It is stored by that agency's node only.",
    authScopes: { role: operationalRoles },
    args: { input: t.arg({ type: domain.inputs.CreateAlertInput, required: true }) },
    resolve: async (_root, args, context, info) => {
      const data = await context.nodes.request<{ createAlert: AlertView }>(
        context.officer.agency,
        nodeOperations.createAlert,
        forwardArguments(info, args, ['input']),
        context.officerToken,
      );
      return data.createAlert;
    },
  }),
  updateAlert: t.field({
    type: Alert,
    description: "Changes an alert of the officer's own agency, if nobody changed it since `expectedVersion`.",
    authScopes: { role: operationalRoles },
    args: {
      id: t.arg.id({ required: true }),
      expectedVersion: t.arg.int({ required: true }),
      input: t.arg({ type: domain.inputs.UpdateAlertInput, required: true }),
    },
    resolve: async (_root, args, context, info) => {
      const { agency, localId } = parseGlobalId(String(args.id), 'Alert');
      if (!context.nodes.has(agency)) throw hubError(ErrorCode.NOT_FOUND, 'No alert with this id.');
      const data = await context.nodes.request<{ updateAlert: AlertView }>(
        agency,
        nodeOperations.updateAlert,
        { id: localId, ...forwardArguments(info, args, ['expectedVersion', 'input']) },
        context.officerToken,
      );
      return data.updateAlert;
    },
  }),
}));
