import { journaled } from '../../audit/auditCollector.ts';
import type { FeedEventView } from '../../domain/watchView.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { eventFeedScope, eventPruneScope, type ServiceScope } from '../../identity/gatewayCredential.ts';
import { eventHead, pruneEventFeed, readEvents, type EventFeedPruning } from '../../realtime/eventOutbox.ts';
import type { NodeContext } from '../context.ts';
import { builder } from './builder.ts';

/** Events one feed read returns at most, and the longest a read waits for the first. */
const maxFeedBatch = 500;
const maxFeedWaitMs = 25_000;
const day = 24 * 3600 * 1000;

const FeedEvent = builder.objectRef<FeedEventView>('FeedEvent').implement({
  description: 'One event of the feed: whom it is for and which record it is about, never what the record says.',
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'Gap-free, in commit order.' }),
    at: t.expose('at', { type: 'DateTime' }),
    kind: t.exposeString('kind', {
      description:
        'HIT: a record met a watch entry (deliverHit). ALERT_SHARED: a change of consent lets the recipient agency see a record ' +
        'higher (deliverAlertShared). CONSENT_REQUESTED, CONSENT_DECIDED, CONSENT_GRANT_REVOKED, CONSENT_GRANT_EXPIRING, ' +
        'CONSENT_OVERDUE: a consent request (deliverConsentEvent). Each kind has its delivery field, taking the seq.',
    }),
    recipientAgency: t.exposeString('recipientAgency'),
    recipientUnit: t.exposeString('recipientUnit', { nullable: true, description: 'Null: for the officers of the agency whom the delivery lets have it.' }),
    watchEntryId: t.exposeID('watchEntryId', { nullable: true }),
    alertId: t.exposeID('alertId'),
    purpose: t.exposeString('purpose', {
      nullable: true,
      description: 'The purpose the event belongs to (a hit: its watch entry’s); it is delivered only to an officer working under it and the case reference. Null: any.',
    }),
    caseReference: t.exposeString('caseReference', { nullable: true }),
  }),
});

const EventFeed = builder.objectRef<{ events: FeedEventView[] }>('EventFeed').implement({
  fields: (t) => ({
    events: t.expose('events', { type: [FeedEvent] }),
    // Read only when asked for: the gateway's follower does not, and saves a query on every read of the feed.
    head: t.int({ description: 'The last sequence number committed when the feed was read.', resolve: (_feed, _args, context) => eventHead(context.prisma) }),
  }),
});

const EventFeedPruning = builder.objectRef<EventFeedPruning>('EventFeedPruning').implement({
  description: 'What one pruning removed.',
  fields: (t) => ({
    prunedThrough: t.exposeInt('prunedThrough', { description: 'Every event up to this sequence number is gone; reading from before it is CURSOR_EXPIRED.' }),
    events: t.exposeInt('events'),
    watchHits: t.exposeInt('watchHits', { description: 'Hits of removed or expired watch entries forgotten.' }),
  }),
});

/** The feed is the gateway's, on its own account, for one scope each; the officers' fields are not. */
function assertService(context: NodeContext, scope: ServiceScope, what: string) {
  if (context.service !== scope) throw hubError(ErrorCode.FORBIDDEN, `The event feed is ${what} by the hub gateway with its service credential for ${scope} only.`);
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
  eventFeed: t.field({
    type: EventFeed,
    description:
      "This node's events after a sequence number, in order, for the gateway's service credential. With waitMs, a read that " +
      'finds nothing waits up to that long for the next commit (long poll); calling again from the last seq resumes exactly. ' +
      'A sequence number before what the feed keeps is refused with CURSOR_EXPIRED.',
    args: {
      after: t.arg.int({ required: true }),
      first: t.arg.int({ defaultValue: 100 }),
      waitMs: t.arg.int({ defaultValue: 0 }),
    },
    resolve: async (_root, args, context) => {
      assertService(context, eventFeedScope, 'read');
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
      return { events };
    },
  }),
}));

builder.mutationFields((t) => ({
  pruneEventFeed: t.field({
    type: EventFeedPruning,
    description:
      "Forgets the events up to `through` (the gateway's position: what it has taken) that are older than the exchange agreement's " +
      'events.retentionDays, and the hits of removed or expired watch entries; logged in this node’s log when anything went. ' +
      "The gateway's service credential for events:prune only, on the hub's schedule.",
    args: { through: t.arg.int({ required: true }) },
    resolve: async (_root, args, context) => {
      assertService(context, eventPruneScope, 'pruned');
      const through = boundedInt(args.through, 'through', 0, 0, 2 ** 31 - 1);
      const before = new Date(Date.now() - context.agreement.events.retentionDays * day);
      const pruned = await journaled(context.audit, (journal) =>
        context.prisma.$transaction(async (tx) => {
          const result = await pruneEventFeed(tx, through, before);
          if (result.events > 0 || result.watchHits > 0) await journal(tx, [], { feedPruned: { ...result, through, before: before.toISOString() } });
          return result;
        }),
      );
      // Nothing went: nothing to log (the schedule asks every hour).
      context.audit.written = true;
      return pruned;
    },
  }),
}));
