import { randomUUID } from 'node:crypto';
import { responsePathAsArray } from 'graphql';
import { domesticRecordRef } from '../../audit/recordRefs.ts';
import { parseInput } from '../../domain/alertInput.ts';
import { addWatchTypes } from '../../domain/schema/addWatchTypes.ts';
import { forwardPage } from '../../domain/schema/pagination.ts';
import { watchEntryInput } from '../../domain/watchInput.ts';
import type { WatchEntryView } from '../../domain/watchView.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { alertSelection } from '../alertSelection.ts';
import type { GatewayContext } from '../context.ts';
import { forwardArguments } from '../forwardArguments.ts';
import { parseGlobalId, toGlobalId } from '../globalId.ts';
import { subscribeToFeed, type FeedPush } from '../../realtime/feedStream.ts';
import { hitsFeed, type HitPayload } from '../../realtime/hitsFeed.ts';
import { fanOutConnection, newestFirst } from '../mergeConnections.ts';
import type { NodePage } from '../nodeOperations.ts';
import { requestNode } from '../ownerRequests.ts';
import { Agency } from './agency.ts';
import { agencyInfo } from '../../domain/agencies.ts';
import { Alert } from './alert.ts';
import { builder } from './builder.ts';
import { mergedConnection } from './mergedConnection.ts';
import { search } from './search.ts';
import { maxRetroHits } from '../../domain/watchView.ts';

const watch = addWatchTypes(builder, search.enums);

const WatchEntry = builder.objectRef<WatchEntryView>('WatchEntry').implement({
  description:
    "An identifier your unit watches. The gateway gave it to every agency's node, and each matches it against its own records " +
    "(the data holder matches, as in Prüm); hits reach your unit's `hits` subscription.",
  fields: (t) => ({
    id: t.id({ resolve: (entry) => toGlobalId('WatchEntry', entry.owner, entry.id) }),
    owner: t.field({ type: Agency, resolve: (entry) => agencyInfo(entry.owner) }),
    ...watch.fields.watchEntry(t),
  }),
});

const Hit = builder.objectRef<HitPayload & { cursor: string }>('Hit').implement({
  description:
    "A record of an agency that met one of your unit's watch entries, released by its owner at the tier its consent gives you " +
    'now, for the purpose and case of the watch entry. A record you may not see produces no hit at all.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Subscribe again with `after` set to this to resume after this hit.' }),
    owner: t.field({ type: Agency, resolve: (event) => agencyInfo(event.agency) }),
    // A hit is for the subscriber's own unit, so its watch entry is of the subscriber's agency.
    watchEntryId: t.id({ resolve: (event, _args, context) => toGlobalId('WatchEntry', context.officer.agency, event.watchEntryId) }),
    alert: t.expose('alert', { type: Alert }),
    ...watch.fields.hit(t),
  }),
});

/** The nodes a watch entry concerns: every agency's, the unit's own included (its own records are matched too). */
const concernedAgencies = (context: GatewayContext) => [...context.nodes.agencies];

/** Runs a watch-entry operation on every node it concerns; all answered, or the error of the first that did not. */
async function onEveryNode<T>(context: GatewayContext, operation: 'createWatchEntry' | 'removeWatchEntry' | 'withdrawWatchEntry', variables: Record<string, unknown>) {
  const agencies = concernedAgencies(context);
  const settled = await Promise.allSettled(agencies.map((agency) => requestNode<T>(context, agency, operation, variables)));
  return { agencies, settled };
}

builder.queryFields((t) => ({
  watchEntries: t.connection(
    {
      type: WatchEntry,
      description: "Your unit's watch entries, newest first (active, expired and removed), as your agency's node keeps them.",
      authScopes: { operational: operationalRoles },
      resolve: async (_root, args, context, info) => {
        const page = forwardPage(args);
        const merged = await fanOutConnection<WatchEntryView>({
          agencies: [context.officer.agency],
          first: page.first,
          after: page.after,
          compare: newestFirst,
          fetchPage: (agency, first, after) => requestNode<NodePage<WatchEntryView>>(context, agency, 'watchEntries', { first, after }),
        });
        context.audit.note(...merged.edges.map(({ node }) => domesticRecordRef(node.owner, node.id, 'WATCH_ENTRY')));
        context.agencyErrors.push(...merged.unavailable.map((error) => error.toGraphQLError(responsePathAsArray(info.path))));
        return merged;
      },
    },
    ...mergedConnection('WatchEntry'),
  ),
}));

builder.mutationFields((t) => ({
  createWatchEntry: t.field({
    type: WatchEntry,
    description:
      "Registers an identifier for your unit to watch, for the purpose and case reference declared with this request, until " +
      "expiresAt (at most the days the exchange agreement allows). Every agency's node stores it and matches it against its " +
      `records at once (retro hits: at most ${maxRetroHits} per agency, the newest records it releases to you) and on every record ` +
      'created or changed from now on (there, every entry the record meets hits).',
    authScopes: { operational: operationalRoles },
    args: { input: t.arg({ type: watch.inputs.WatchEntryInput, required: true }) },
    resolve: async (_root, args, context, info) => {
      // Refused here once, rather than by every node.
      parseInput(watchEntryInput(context.agreement), args.input);
      const id = randomUUID();
      const variables = { id, ...forwardArguments(info, args, ['input']) };
      const { agencies, settled } = await onEveryNode<WatchEntryView>(context, 'createWatchEntry', variables);
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) {
        // All or nothing: an entry some nodes match and others do not would mislead its unit. Withdrawn at every node,
        // those that failed included: one may have stored it and then not answered in time, and one that has not stored
        // it yet stores it withdrawn, so that the registration, should it still arrive, changes nothing.
        const withdrawn = await onEveryNode<WatchEntryView>(context, 'withdrawWatchEntry', variables);
        const unreached = withdrawn.agencies.filter((_agency, index) => withdrawn.settled[index]!.status === 'rejected');
        if (unreached.length > 0) context.audit.details = { withdrawal: { unreached } };
        throw failed.reason;
      }
      const own = settled[agencies.indexOf(context.officer.agency)] as PromiseFulfilledResult<WatchEntryView>;
      context.audit.note(domesticRecordRef(context.officer.agency, id, 'WATCH_ENTRY'));
      return own.value;
    },
  }),
  removeWatchEntry: t.field({
    type: WatchEntry,
    description:
      "Ends one of your unit's watch entries at every node: it matches nothing more and its hits are no longer delivered. " +
      'If a node does not answer, the error names it and removing again finishes the job.',
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      const { agency, localId } = parseGlobalId(String(args.id), 'WatchEntry');
      if (agency !== context.officer.agency) throw hubError(ErrorCode.NOT_FOUND, 'No watch entry with this id.');
      const { agencies, settled } = await onEveryNode<WatchEntryView>(context, 'removeWatchEntry', { id: localId });
      context.audit.note(domesticRecordRef(agency, localId, 'WATCH_ENTRY'));
      const own = settled[agencies.indexOf(agency)]!;
      if (own.status === 'rejected') throw own.reason;
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      return own.value;
    },
  }),
}));

builder.subscriptionType({ description: 'Real-time events, over graphql-ws (or server-sent events).' });

builder.subscriptionField('hits', (t) =>
  t.field({
    type: Hit,
    description:
      "Hits on your unit's watch entries registered for the purpose and case you declare, from every agency. Give `after` (the " +
      'cursor of the last hit you received) to first receive, in order, every hit since then, then the new ones as they happen; ' +
      "without it, from now on. Each delivery is released by the owner's node with the consent in force at that moment for your " +
      'purpose and roles, and logged there as a disclosure and here as a consultation. A cursor older than what the feeds keep is ' +
      'refused with CURSOR_EXPIRED; an error that ends the subscription carries the cursor to resume from in extensions.cursor.',
    authScopes: { operational: operationalRoles },
    args: { after: t.arg.string({ description: 'The cursor of the last hit received.' }) },
    subscribe: (_root, args, context, info) => subscribeToFeed(context, hitsFeed(context, alertSelection(info, { path: ['alert'] })), args.after),
    resolve: (push) => {
      const { payload, cursor } = push as unknown as FeedPush<HitPayload>;
      return { ...payload, cursor };
    },
  }),
);
