import { journaled, type AppliedChange } from '../../audit/auditCollector.ts';
import { consentRequestRecordRefs } from '../../audit/recordRefs.ts';
import type { ConsentGrantView, ConsentRequestView } from '../../domain/alertView.ts';
import { parseInput } from '../../domain/alertInput.ts';
import { connectionOf, countedConnection, forwardPage } from '../../domain/schema/pagination.ts';
import { consentDecisionInput, consentReason, consentRequestInput } from '../../consent/consentInput.ts';
import { operationalRoles } from '../../identity/roles.ts';
import {
  decideConsentRequest,
  findConsentGrants,
  findConsentRequest,
  listConsentRequests,
  requestConsent,
  revokeConsentGrant,
} from '../records/consentRequestRecords.ts';
import { builder } from './builder.ts';
import { domain } from './domain.ts';
import { consentDeciders } from '../../consent/agreement.ts';

export const ConsentGrant = builder.objectRef<ConsentGrantView>('ConsentGrant').implement({
  description: 'Permission from the owner to see one record at a tier, for one purpose and case, until it expires or is revoked.',
  fields: (t) => ({
    id: t.exposeID('id'),
    alertId: t.exposeID('alertId', { nullable: true }),
    ...domain.fields.consentGrant(t),
  }),
});

export const ConsentRequest = builder.objectRef<ConsentRequestView>('ConsentRequest').implement({
  description: "A partner's request for a higher tier on one of this agency's records.",
  fields: (t) => ({
    id: t.exposeID('id'),
    alertId: t.exposeID('alertId', { nullable: true }),
    grant: t.expose('grant', { type: ConsentGrant, nullable: true }),
    ...domain.fields.consentRequest(t),
  }),
});


/** What a change's entry recorded in its details, by name (the ids of what it made). */
const detail = (applied: AppliedChange, name: string): unknown => (applied.details as Record<string, unknown> | null)?.[name];

builder.queryFields((t) => ({
  consentRequests: t.connection(
    {
      type: ConsentRequest,
      description:
        'Incoming requests (officers of this agency whose role decides consent) or outgoing ones (the requesting agency), oldest deadline first.',
      authScopes: { operational: operationalRoles },
      args: { filter: t.arg({ type: domain.inputs.ConsentRequestFilter, required: true }) },
      resolve: async (_root, args, { prisma, officer, agency, purpose, audit, agreement }) => {
        const page = forwardPage(args);
        const result = await listConsentRequests(prisma, officer, agency, purpose, args.filter, page, agreement);
        // The entry names the alert of every request released that still names it (see toRequestView), with the grant it opened, as a consent event's does.
        audit.note(...result.views.flatMap((view) => consentRequestRecordRefs(agency, view, officer)));
        return connectionOf(result.views, result.cursors, result.hasNextPage, result.totalCount, page.after);
      },
    },
    ...countedConnection('ConsentRequest'),
  ),
}));

builder.mutationFields((t) => ({
  requestConsent: t.field({
    type: ConsentRequest,
    description: 'Asks the owner for a higher tier on a record, for the declared purpose and case.',
    authScopes: { operational: operationalRoles },
    args: { input: t.arg({ type: domain.inputs.ConsentRequestInput, required: true }) },
    resolve: (_root, args, { prisma, officer, agency, purpose, audit, agreement }) =>
      journaled(audit, (journal) => requestConsent(prisma, officer, agency, purpose, parseInput(consentRequestInput, args.input), new Date(), journal, agreement), {
        db: prisma,
        replay: (applied) => findConsentRequest(prisma, agency, String(detail(applied, 'request'))),
      }),
  }),
  decideConsentRequest: t.field({
    type: ConsentRequest,
    description: "Grants or refuses a partner's request. Officers of the owner whose role decides consent (exchange agreement) only.",
    authScopes: (_root, _args, { agreement }) => ({ operational: consentDeciders(agreement) }),
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: domain.inputs.ConsentDecisionInput, required: true }),
    },
    resolve: (_root, args, { prisma, officer, agency, audit, agreement }) =>
      journaled(
        audit,
        (journal) => decideConsentRequest(prisma, officer, agency, String(args.id), parseInput(consentDecisionInput(agreement), args.input), new Date(), journal, agreement),
        { db: prisma, replay: () => findConsentRequest(prisma, agency, String(args.id)) },
      ),
  }),
  revokeConsentGrant: t.field({
    type: ConsentGrant,
    description: 'Withdraws a grant, effective on the very next request of the partner. Officers of the owner whose role decides consent only.',
    authScopes: (_root, _args, { agreement }) => ({ operational: consentDeciders(agreement) }),
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: (_root, args, { prisma, officer, agency, audit, agreement }) =>
      journaled(
        audit,
        (journal) => revokeConsentGrant(prisma, officer, agency, String(args.id), parseInput(consentReason, args.reason, 'reason'), new Date(), journal, agreement),
        { db: prisma, replay: async () => (await findConsentGrants(prisma, agency, [String(args.id)]))[0]! },
      ),
  }),
}));
