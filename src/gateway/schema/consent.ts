import { responsePathAsArray } from 'graphql';
import type { ConsentGrantView, ConsentRequestView } from '../../domain/alertView.ts';
import { forwardPage } from '../../domain/schema/pagination.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { forwardArguments } from '../forwardArguments.ts';
import { ownedId, parseGlobalId, toGlobalId } from '../globalId.ts';
import { fanOutConnection, soonestDueFirst } from '../mergeConnections.ts';
import type { NodePage } from '../nodeOperations.ts';
import { mutateOwned, requestNode } from '../ownerRequests.ts';
import { builder } from './builder.ts';
import { mergedConnection } from './mergedConnection.ts';
import { releasedRecord } from './releasedRecord.ts';
import { consentAlertRecordRef } from '../../audit/recordRefs.ts';
import { domain } from './domain.ts';
import { consentDeciders } from '../../consent/agreement.ts';

export const ConsentGrant = builder.node(builder.objectRef<ConsentGrantView>('ConsentGrant'), {
  description: 'Permission from the owner to see one record at a tier, for one purpose and case, until it expires or is revoked.',
  id: { resolve: (grant) => ownedId(grant.owner, grant.id) },
  // A grant names the alert it opens; the entry names that alert.
  isTypeOf: releasedRecord<ConsentGrantView>('ConsentGrant', (grant, context) =>
    // A grant names its record only while the record exists for the reader (issue 17 item 23): then no record to note.
    grant.alertId ? { ...consentAlertRecordRef(grant.owner, grant.alertId, undefined, context.officer), grantId: grant.id } : null,
  ),
  fields: (t) => ({
    alertId: t.id({ nullable: true, resolve: (grant) => grant.alertId && toGlobalId('Alert', grant.owner, grant.alertId) }),
    ...domain.fields.consentGrant(t),
  }),
});

export const ConsentRequest = builder.node(builder.objectRef<ConsentRequestView>('ConsentRequest'), {
  description: 'A request for a higher tier on one record, answered by the duty officers of the owner within the deadline of the agreement.',
  id: { resolve: (request) => ownedId(request.owner, request.id) },
  // A request names the alert it asks about, with its reference; the entry names that alert.
  isTypeOf: releasedRecord<ConsentRequestView>('ConsentRequest', (request, context) =>
    request.alertId ? consentAlertRecordRef(request.owner, request.alertId, request.alertReference ?? undefined, context.officer) : null,
  ),
  fields: (t) => ({
    alertId: t.id({
      nullable: true,
      description: 'The record asked about; null once it does not exist for you (the owner lowered it to NONE): you keep your request, not the record.',
      resolve: (request) => request.alertId && toGlobalId('Alert', request.owner, request.alertId),
    }),
    grant: t.field({
      type: ConsentGrant,
      nullable: true,
      resolve: (request) => (request.grant ? { ...request.grant, owner: request.owner } : null),
    }),
    ...domain.fields.consentRequest(t),
  }),
});

builder.queryFields((t) => ({
  consentRequests: t.connection(
    {
      type: ConsentRequest,
      description:
        "INCOMING: requests to your agency's records, for its duty officers (overdue ones flagged). " +
        "OUTGOING: your agency's requests to every partner, to follow them.",
      authScopes: { operational: operationalRoles },
      args: { filter: t.arg({ type: domain.inputs.ConsentRequestFilter, required: true }) },
      resolve: async (_root, args, context, info) => {
        const page = forwardPage(args);
        const own = context.officer.agency;
        const agencies = args.filter.direction === 'INCOMING' ? [own] : context.nodes.agencies.filter((agency) => agency !== own);
        const merged = await fanOutConnection<ConsentRequestView>({
          agencies,
          first: page.first,
          after: page.after,
          compare: soonestDueFirst,
          fetchPage: (agency, first, after) =>
            requestNode<NodePage<ConsentRequestView>>(context, agency, 'consentRequests', {
              first,
              after,
              ...forwardArguments(info, args, ['filter']),
            }),
        });
        context.agencyErrors.push(...merged.unavailable.map((error) => error.toGraphQLError(responsePathAsArray(info.path))));
        return merged;
      },
    },
    ...mergedConnection('ConsentRequest'),
  ),
}));

builder.mutationFields((t) => ({
  requestConsent: t.field({
    type: ConsentRequest,
    description:
      'After a hit, asks the owner for a higher tier on the record, for the purpose and case reference declared with this request. ' +
      'The owner must answer within the deadline of the exchange agreement.',
    authScopes: { operational: operationalRoles },
    args: { input: t.arg({ type: domain.inputs.ConsentRequestInput, required: true }) },
    resolve: (_root, args, context, info) => {
      const { input } = forwardArguments(info, args, ['input']) as { input: Record<string, unknown> };
      const { agency, localId } = parseGlobalId(String(args.input.alertId), 'Alert', 'input.alertId');
      if (!context.nodes.has(agency)) throw hubError(ErrorCode.NOT_FOUND, 'No alert with this id.');
      return requestNode<ConsentRequestView>(context, agency, 'requestConsent', { input: { ...input, alertId: localId } });
    },
  }),
  decideConsentRequest: t.field({
    type: ConsentRequest,
    description:
      'Grants (possibly a lower tier, always with an expiry) or refuses a request. Officers of the owner whose role decides consent (exchange agreement) only.',
    authScopes: (_root, _args, { agreement }) => ({ operational: consentDeciders(agreement) }),
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: domain.inputs.ConsentDecisionInput, required: true }),
    },
    resolve: (_root, args, context, info) =>
      mutateOwned<ConsentRequestView>(context, String(args.id), 'ConsentRequest', 'decideConsentRequest', forwardArguments(info, args, ['input'])),
  }),
  revokeConsentGrant: t.field({
    type: ConsentGrant,
    description: 'Withdraws a grant, effective on the very next request of the partner. Officers of the owner whose role decides consent only.',
    authScopes: (_root, _args, { agreement }) => ({ operational: consentDeciders(agreement) }),
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: async (_root, args, context) => {
      const grant = await mutateOwned<ConsentGrantView>(context, String(args.id), 'ConsentGrant', 'revokeConsentGrant', { reason: args.reason });
      return { ...grant, owner: parseGlobalId(String(args.id), 'ConsentGrant').agency };
    },
  }),
}));
