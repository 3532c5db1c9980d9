import { addSharingEventTypes } from '../../domain/schema/addSharingEventTypes.ts';
import { agencyInfo } from '../../domain/agencies.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { alertSharedFeed, type AlertSharedPayload } from '../../realtime/alertSharedFeed.ts';
import { consentEventsFeed, type ConsentEventPayload } from '../../realtime/consentEventsFeed.ts';
import { subscribeToFeed, type FeedPush } from '../../realtime/feedStream.ts';
import { alertSelection } from '../alertSelection.ts';
import { Agency } from './agency.ts';
import { Alert } from './alert.ts';
import { builder } from './builder.ts';
import { ConsentRequest } from './consent.ts';

const sharing = addSharingEventTypes(builder);

const cursorField = 'Subscribe again with `after` set to this to resume after this event.';

const AlertShared = builder.objectRef<AlertSharedPayload & { cursor: string }>('AlertShared').implement({
  description:
    "A record of another agency that you may now see, or see at a higher tier than before, because its owner changed its consent; " +
    'released by the owner at the tier it gives you now (alert.access.tier), for your purpose and roles.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: cursorField }),
    owner: t.field({ type: Agency, resolve: (event) => agencyInfo(event.agency) }),
    at: t.expose('at', { type: 'DateTime', description: 'When the owner changed its consent.' }),
    cause: t.expose('cause', { type: sharing.enums.SharingCause }),
    alert: t.expose('alert', { type: Alert }),
  }),
});

const ConsentEvent = builder.objectRef<ConsentEventPayload & { cursor: string }>('ConsentEvent').implement({
  description: 'Something that happened to a consent request: the request as you may read it now (consentRequests lists the same).',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: cursorField }),
    owner: t.field({ type: Agency, description: 'The agency that owns the record asked about.', resolve: (event) => agencyInfo(event.agency) }),
    at: t.expose('at', { type: 'DateTime' }),
    kind: t.expose('kind', { type: sharing.enums.ConsentEventKind }),
    request: t.field({ type: ConsentRequest, resolve: (event) => event.request }),
  }),
});

const resumeDescription =
  'Give `after` (the cursor of the last event you received) to first receive, in order, every event since then, then the new ones ' +
  'as they happen; without it, from now on. A cursor older than what the feeds keep is refused with CURSOR_EXPIRED; an error ' +
  'that ends the subscription carries the cursor to resume from in extensions.cursor.';

builder.subscriptionFields((t) => ({
  alertShared: t.field({
    type: AlertShared,
    description:
      "Records of the other agencies that you may now see, or see higher: a sharing rule, a grant, a joint operation's release, " +
      "an H2 lifted. Each is decided and released by the owner's node when it is delivered, with the consent in force then for " +
      'the purpose and case you declare and your roles (a revocation meanwhile delivers nothing), and logged there as a disclosure ' +
      `and here as a consultation. ${resumeDescription}`,
    authScopes: { operational: operationalRoles },
    args: { after: t.arg.string({ description: 'The cursor of the last event received.' }) },
    subscribe: (_root, args, context, info) => subscribeToFeed(context, alertSharedFeed(context, alertSelection(info, { path: ['alert'] })), args.after),
    resolve: (push) => {
      const { payload, cursor } = push as unknown as FeedPush<AlertSharedPayload>;
      return { ...payload, cursor };
    },
  }),
  consentEvents: t.field({
    type: ConsentEvent,
    description:
      "Consent requests as they happen. If your roles decide consent: each request to your agency's records (with its deadline, " +
      "dueAt) and each that passed its deadline unanswered. For every officer: your unit's requests to the other agencies decided, " +
      "a grant revoked, a grant about to expire (the agreement's notice), a request past its deadline. Each is delivered by the " +
      `record's owner as consentRequests would list it to you then, and logged there and here. ${resumeDescription}`,
    authScopes: { operational: operationalRoles },
    args: { after: t.arg.string({ description: 'The cursor of the last event received.' }) },
    subscribe: (_root, args, context) => subscribeToFeed(context, consentEventsFeed(context), args.after),
    resolve: (push) => {
      const { payload, cursor } = push as unknown as FeedPush<ConsentEventPayload>;
      return { ...payload, cursor };
    },
  }),
}));
