import { journaled, noteAlertViews } from '../../audit/auditCollector.ts';
import { domesticRecordRef } from '../../audit/recordRefs.ts';
import { parseInput } from '../../domain/alertInput.ts';
import { addWatchTypes } from '../../domain/schema/addWatchTypes.ts';
import { connectionOf, countedConnection, forwardPage } from '../../domain/schema/pagination.ts';
import { watchEntryInput } from '../../domain/watchInput.ts';
import type { HitView, WatchEntryView } from '../../domain/watchView.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { noteDelivery, noteWithheld } from '../../realtime/eventDelivery.ts';
import { deliverHit } from '../../realtime/hitDelivery.ts';
import { createWatchEntry, findWatchEntry, listWatchEntries, removeWatchEntry, withdrawWatchEntry } from '../records/watchEntryRecords.ts';
import { Alert } from './alert.ts';
import { builder } from './builder.ts';
import { search } from './search.ts';
import { maxRetroHits } from '../../domain/watchView.ts';

const watch = addWatchTypes(builder, search.enums);

const WatchEntry = builder.objectRef<WatchEntryView>('WatchEntry').implement({
  description: "An identifier a unit watches, as stored by this node, which matches it against its own records.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The same at every node that stores the entry (given by the gateway).' }),
    owner: t.exposeString('owner', { description: 'Agency of the watching unit.' }),
    ...watch.fields.watchEntry(t),
  }),
});

const Hit = builder.objectRef<HitView>('Hit').implement({
  description: "A record of this agency that met a watch entry, released to the recipient at the tier the owner's consent gives now.",
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: "The event's number in this node's feed." }),
    watchEntryId: t.exposeID('watchEntryId'),
    alert: t.expose('alert', { type: Alert }),
    ...watch.fields.hit(t),
  }),
});

builder.queryFields((t) => ({
  watchEntries: t.connection(
    {
      type: WatchEntry,
      description: "The watch entries of the caller's unit stored here, newest first; other units' entries do not exist for the caller.",
      authScopes: { operational: operationalRoles },
      resolve: async (_root, args, { prisma, officer, audit }) => {
        const page = forwardPage(args);
        const result = await listWatchEntries(prisma, officer, page);
        audit.note(...result.views.map((view) => domesticRecordRef(view.owner, view.id, 'WATCH_ENTRY')));
        return connectionOf(result.views, result.cursors, result.hasNextPage, result.totalCount, page.after);
      },
    },
    ...countedConnection('WatchEntry'),
  ),
  deliverHit: t.field({
    type: Hit,
    nullable: true,
    description:
      "Delivers one hit event to an officer of the unit it is for, working under the purpose and case of the watch entry: the record " +
      "at the tier the owner's consent gives that officer now. Null when nothing may be delivered (watch entry removed or expired, " +
      'consent withdrawn, another purpose or case, or not an event for the caller). Each delivery is a disclosure in this node’s log, ' +
      'naming the recipient and the purpose and case it was delivered for.',
    authScopes: { operational: operationalRoles },
    args: { seq: t.arg.int({ required: true }) },
    resolve: async (_root, args, context) => {
      const result = await deliverHit(context.prisma, context.officer, context.purpose, context.agency, args.seq, context.agreement);
      if (result.delivered) {
        noteAlertViews(context.audit, [result.hit.alert]);
        noteDelivery(context, 'HIT', args.seq, { watchEntryId: result.hit.watchEntryId });
        return result.hit;
      }
      noteWithheld(context, 'HIT', args.seq, result.reason, result.alertId);
      return null;
    },
  }),
}));

builder.mutationFields((t) => ({
  createWatchEntry: t.field({
    type: WatchEntry,
    description:
      "Stores a watch entry of the caller's unit under the id the gateway gave it, for the declared purpose, and matches it against " +
      `this agency's records at once (retro hits: at most ${maxRetroHits}, the newest this agency releases to the caller). The same id ` +
      'again returns the stored entry (removed, if it was withdrawn).',
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: watch.inputs.WatchEntryInput, required: true }) },
    resolve: async (_root, args, { prisma, officer, agency, purpose, audit, agreement }) => {
      const input = parseInput(watchEntryInput(agreement), args.input);
      const { entry } = await journaled(audit, (journal) => createWatchEntry(prisma, officer, agency, purpose, String(args.id), input, journal, agreement), {
        db: prisma,
        replay: async () => ({ entry: await findWatchEntry(prisma, officer, String(args.id)), retroHits: 0 }),
      });
      return entry;
    },
  }),
  removeWatchEntry: t.field({
    type: WatchEntry,
    description: "Ends a watch entry of the caller's unit at once: it matches nothing more, and its hits are no longer delivered.",
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { prisma, officer, audit, auditDigestKey }) =>
      journaled(audit, (journal) => removeWatchEntry(prisma, officer, String(args.id), journal, auditDigestKey), {
        db: prisma,
        replay: () => findWatchEntry(prisma, officer, String(args.id)),
      }),
  }),
  withdrawWatchEntry: t.field({
    type: WatchEntry,
    description:
      "Ends the watch entry with this id of the caller's unit whether or not this node stored it yet: stored, it is removed; not yet " +
      'stored, it is stored removed, so that its registration, should it arrive later, changes nothing. The gateway\u2019s undo of a ' +
      'registration it could not complete at every node; `input` is the registration\u2019s.',
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: watch.inputs.WatchEntryInput, required: true }) },
    resolve: (_root, args, { prisma, officer, purpose, audit, agreement }) => {
      const input = parseInput(watchEntryInput(agreement), args.input);
      return journaled(audit, (journal) => withdrawWatchEntry(prisma, officer, purpose, String(args.id), input, journal), {
        db: prisma,
        replay: () => findWatchEntry(prisma, officer, String(args.id)),
      });
    },
  }),
}));
