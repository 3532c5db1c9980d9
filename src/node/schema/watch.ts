import { journaled, noteAlertViews } from '../../audit/auditCollector.ts';
import { domesticRecordRef, withheldRecordRef } from '../../audit/recordRefs.ts';
import { parseInput } from '../../domain/alertInput.ts';
import { addWatchTypes } from '../../domain/schema/addWatchTypes.ts';
import { connectionOf, countedConnection, forwardPage } from '../../domain/schema/pagination.ts';
import { watchEntryInput } from '../../domain/watchInput.ts';
import type { FeedEventView, HitView, WatchEntryView } from '../../domain/watchView.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { eventFeedScope } from '../../identity/gatewayCredential.ts';
import type { NodeContext } from '../context.ts';
import { eventHead, readEvents } from '../../realtime/eventOutbox.ts';
import { deliverHit } from '../../realtime/hitDelivery.ts';
import { createWatchEntry, findWatchEntry, listWatchEntries, removeWatchEntry, withdrawWatchEntry } from '../records/watchEntryRecords.ts';
import { Alert } from './alert.ts';
import { builder } from './builder.ts';
import { search } from './search.ts';
import { maxRetroHits } from '../../domain/watchView.ts';

const watch = addWatchTypes(builder, search.enums);

/** Events one feed read returns at most, and the longest a read waits for the first. */
const maxFeedBatch = 500;
const maxFeedWaitMs = 25_000;

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

const FeedEvent = builder.objectRef<FeedEventView>('FeedEvent').implement({
  description: 'One event of the feed: whom it is for and which record it is about, never what the record says.',
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'Gap-free, in commit order.' }),
    at: t.expose('at', { type: 'DateTime' }),
    kind: t.exposeString('kind', { description: 'HIT: a record met a watch entry; deliver it with deliverHit(seq).' }),
    recipientAgency: t.exposeString('recipientAgency'),
    recipientUnit: t.exposeString('recipientUnit', { nullable: true }),
    watchEntryId: t.exposeID('watchEntryId', { nullable: true }),
    alertId: t.exposeID('alertId'),
    purpose: t.exposeString('purpose', { nullable: true, description: 'The purpose of the watch entry, under which the hit is delivered.' }),
    caseReference: t.exposeString('caseReference', { nullable: true }),
  }),
});

const EventFeed = builder.objectRef<{ events: FeedEventView[]; head: number }>('EventFeed').implement({
  fields: (t) => ({
    events: t.expose('events', { type: [FeedEvent] }),
    head: t.exposeInt('head', { description: 'The last sequence number committed when the feed was read.' }),
  }),
});

/** The feed is the gateway's, on its own account; the officers' fields are not. */
function assertService(context: NodeContext) {
  if (context.service !== eventFeedScope) throw hubError(ErrorCode.FORBIDDEN, "The event feed is read by the hub gateway with its service credential only.");
}

/** Within bounds or refused, like every argument. */
function boundedInt(value: number | null | undefined, name: string, fallback: number, min: number, max: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${name} must be between ${min} and ${max}.`, {
      issues: [{ path: name, message: `must be between ${min} and ${max}` }],
    });
  }
  return chosen;
}

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
  eventFeed: t.field({
    type: EventFeed,
    description:
      "This node's events after a sequence number, in order, for the gateway's service credential. With waitMs, a read that " +
      'finds nothing waits up to that long for the next commit (long poll); calling again from the last seq resumes exactly.',
    args: {
      after: t.arg.int({ required: true }),
      first: t.arg.int({ defaultValue: 100 }),
      waitMs: t.arg.int({ defaultValue: 0 }),
    },
    resolve: async (_root, args, context) => {
      assertService(context);
      const after = boundedInt(args.after, 'after', 0, 0, 2 ** 31 - 1);
      const first = boundedInt(args.first, 'first', 100, 1, maxFeedBatch);
      const waitMs = boundedInt(args.waitMs, 'waitMs', 0, 0, maxFeedWaitMs);
      const since = context.events.generation();
      let events = await readEvents(context.prisma, after, first);
      if (events.length === 0 && waitMs > 0) {
        await context.events.wait(waitMs, context.request.signal, since);
        events = await readEvents(context.prisma, after, first);
      }
      // The feed releases no record (recipients and ids only); a read that found nothing leaves no entry.
      if (events.length === 0) context.audit.written = true;
      else context.audit.details = { feed: { after, events: events.length, last: events.at(-1)!.seq } };
      return { events, head: await eventHead(context.prisma) };
    },
  }),
  deliverHit: t.field({
    type: Hit,
    nullable: true,
    description:
      "Delivers one hit event to an officer of the unit it is for: the record at the tier the owner's consent gives now, for the " +
      'purpose and case of the watch entry. Null when nothing may be delivered (watch entry removed or expired, consent withdrawn, ' +
      'or not an event for the caller). Each delivery is a disclosure in this node’s log, naming the recipient.',
    authScopes: { operational: operationalRoles },
    args: { seq: t.arg.int({ required: true }) },
    resolve: async (_root, args, context) => {
      const result = await deliverHit(context.prisma, context.officer, context.agency, args.seq, context.agreement);
      const recipient = { agency: context.officer.agency, unit: context.officer.unit, sub: context.officer.sub };
      if (result.delivered) {
        noteAlertViews(context.audit, [result.hit.alert]);
        context.audit.details = {
          delivery: { seq: args.seq, watchEntryId: result.hit.watchEntryId, recipient, purpose: result.purpose.code, caseReference: result.purpose.caseReference },
        };
        return result.hit;
      }
      if (result.alertId) context.audit.note(withheldRecordRef(context.agency, result.alertId));
      context.audit.details = { withheld: { seq: args.seq, reason: result.reason, recipient } };
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
