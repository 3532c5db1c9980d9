import { responsePathAsArray } from 'graphql';
import { alertRecordRef } from '../../audit/recordRefs.ts';
import { sharingPolicySetters } from '../../consent/agreement.ts';
import type { AlertView } from '../../domain/alertView.ts';
import { agencyInfo } from '../../domain/agencies.ts';
import { forwardPage, selectsTotalCount } from '../../domain/schema/pagination.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import type { GatewayContext } from '../context.ts';
import { alertSelection } from '../alertSelection.ts';
import { forwardArguments } from '../forwardArguments.ts';
import { ownedId, parseGlobalId, toGlobalId } from '../globalId.ts';
import { fanOutConnection, newestFirst } from '../mergeConnections.ts';
import type { NodePage } from '../nodeOperations.ts';
import { fetchOwned, mutateOwned, requestNode } from '../ownerRequests.ts';
import { Agency } from './agency.ts';
import { builder } from './builder.ts';
import { mergedConnection } from './mergedConnection.ts';
import { releasedRecord } from './releasedRecord.ts';
import { domain } from './domain.ts';

export const Alert = builder.node(builder.objectRef<AlertView>('Alert'), {
  description:
    'A firearms or explosives alert, owned by one agency and answered by its node. The reference, kind, status and ' +
    "contact point are what a partner learns on a hit; `summary` and `personalData` are present only at the tier the owner's node released.",
  id: { resolve: (alert) => ownedId(alert.owner, alert.id) },
  isTypeOf: releasedRecord('Alert', alertRecordRef),
  fields: (t) => ({
    localId: t.exposeID('id', { description: "The id within the owner agency's records." }),
    owner: t.field({ type: Agency, resolve: (alert) => agencyInfo(alert.owner) }),
    ...domain.fields.alert(t),
    access: t.field({
      type: domain.objects.AccessState,
      // The node names its grant locally; clients get the grant's global id.
      resolve: ({ access, owner }) => ({ ...access, grantId: access.grantId && toGlobalId('ConsentGrant', owner, access.grantId) }),
    }),
  }),
});

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
      authScopes: { operational: operationalRoles },
      args: {
        filter: t.arg({ type: domain.inputs.AlertFilter }),
        agencies: t.arg.stringList({ description: 'Only these agencies (codes). Default: all.' }),
      },
      resolve: async (_root, args, context, info) => {
        const page = forwardPage(args);
        // The merge orders by createdAt (newestFirst).
        const selection = alertSelection(info, { path: ['edges', 'node'], needs: 'createdAt' });
        const merged = await fanOutConnection<AlertView>({
          agencies: selectedAgencies(context, args.agencies),
          first: page.first,
          after: page.after,
          compare: newestFirst,
          // A node's count is a second query under its consent filter: asked for only when the client reads the sum.
          count: selectsTotalCount(info),
          fetchPage: (agency, first, after, withCount) =>
            requestNode<NodePage<AlertView>>(context, agency, 'alerts', { first, after, withCount, ...forwardArguments(info, args, ['filter']) }, selection),
        });
        const path = responsePathAsArray(info.path);
        context.agencyErrors.push(...merged.unavailable.map((error) => error.toGraphQLError(path)));
        return merged;
      },
    },
    ...mergedConnection('Alert'),
  ),
  alert: t.field({
    type: Alert,
    nullable: true,
    description: "One alert, asked of its owner's node only.",
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context, info) => {
      const { agency, localId } = parseGlobalId(String(args.id), 'Alert');
      return fetchOwned<AlertView>(context, agency, localId, 'alert', alertSelection(info));
    },
  }),
}));

builder.mutationFields((t) => ({
  createAlert: t.field({
    type: Alert,
    description: "Reports an alert in the officer's own agency. It is stored by that agency's node only.",
    authScopes: { operational: operationalRoles },
    args: { input: t.arg({ type: domain.inputs.CreateAlertInput, required: true }) },
    resolve: (_root, args, context, info) =>
      requestNode<AlertView>(context, context.officer.agency, 'createAlert', forwardArguments(info, args, ['input']), alertSelection(info)),
  }),
  updateAlert: t.field({
    type: Alert,
    description: "Changes an alert of the officer's own agency, if nobody changed it since `expectedVersion`.",
    authScopes: { operational: operationalRoles },
    args: {
      id: t.arg.id({ required: true }),
      expectedVersion: t.arg.int({ required: true }),
      input: t.arg({ type: domain.inputs.UpdateAlertInput, required: true }),
    },
    resolve: (_root, args, context, info) =>
      mutateOwned<AlertView>(
        context,
        String(args.id),
        'Alert',
        'updateAlert',
        forwardArguments(info, args, ['expectedVersion', 'input']),
        alertSelection(info),
      ),
  }),
  setSharingPolicy: t.field({
    type: Alert,
    description:
      "Sets the handling code, grading and per-partner rules of one of your agency's alerts. Partners without a rule " +
      'fall under the default policy of the exchange agreement; an H2 record reaches only partners named in a rule.',
    // The roles the agreement marks setsSharingPolicy.
    authScopes: (_root, _args, { agreement }) => ({ operational: sharingPolicySetters(agreement) }),
    args: {
      alertId: t.arg.id({ required: true }),
      input: t.arg({ type: domain.inputs.SharingPolicyInput, required: true }),
    },
    resolve: (_root, args, context, info) =>
      mutateOwned<AlertView>(context, String(args.alertId), 'Alert', 'setSharingPolicy', forwardArguments(info, args, ['input']), alertSelection(info)),
  }),
}));
