import type { Prisma, PrismaClient } from '../generated/node/client.ts';
import { ErrorCode, hubError } from '../errors.ts';

/** The channel migrations/0004 notifies on each committed event. */
export const nodeEventsChannel = 'hub_node_events';

/** Kinds of event about a consent request or grant: the `consentEvents` subscription's (deliverConsentEvent). */
export const consentEventKinds = ['CONSENT_REQUESTED', 'CONSENT_DECIDED', 'CONSENT_GRANT_REVOKED', 'CONSENT_GRANT_EXPIRING', 'CONSENT_OVERDUE'] as const;
export type ConsentEventKind = (typeof consentEventKinds)[number];

/**
 * Kinds of event a node writes to its outbox. Each has its delivery field in
 * the node contract (HIT: deliverHit, ALERT_SHARED: deliverAlertShared, the
 * consent kinds: deliverConsentEvent) and its subscription at the gateway
 * (hits, alertShared, consentEvents); adding a kind adds those two, not
 * another path.
 */
export const eventKinds = ['HIT', 'ALERT_SHARED', ...consentEventKinds] as const;
export type EventKind = (typeof eventKinds)[number];

/**
 * What an event says: who it is for and which record it is about. Never a
 * copy of the record: what the recipient learns is decided when the event is
 * delivered, with the consent in force then.
 */
export interface OutboxEvent {
  kind: EventKind;
  recipientAgency: string;
  /** Null: every officer of the recipient agency whom the kind's delivery lets have it. */
  recipientUnit: string | null;
  /**
   * The purpose and case the event belongs to (a hit: those of its watch
   * entry): delivered only to an officer working under them. Null: any.
   */
  purpose: string | null;
  caseReference: string | null;
  watchEntryId: string | null;
  alertId: string;
  details: Prisma.InputJsonValue | null;
}

/** An event as the feed hands it on. */
export interface FeedEventRecord extends OutboxEvent {
  seq: number;
  at: Date;
}

/**
 * Appends events in the caller's transaction. Their sequence numbers come from
 * the single counter row, whose row lock this update takes and holds until the
 * transaction ends: a second writer waits here until the first has committed
 * or rolled back, so numbers are handed out in commit order, a rollback leaves
 * no hole, and a reader that has seen n never later finds a smaller number
 * committing. The lock is taken as late as the change allows (just before its
 * audit entry), so writers queue only for the commit itself.
 */
export async function appendEvents(tx: Prisma.TransactionClient, events: readonly OutboxEvent[], at = new Date()): Promise<number[]> {
  if (events.length === 0) return [];
  const [counter] = await tx.$queryRaw<{ last: bigint }[]>`
    update node.event_counter set last = last + ${events.length} where id = 1 returning last`;
  if (!counter) throw new Error('node.event_counter has no row: was migration 0004 applied?');
  const first = Number(counter.last) - events.length + 1;
  await tx.event.createMany({
    data: events.map((event, index) => ({
      seq: BigInt(first + index),
      at,
      kind: event.kind,
      recipientAgency: event.recipientAgency,
      recipientUnit: event.recipientUnit,
      purpose: event.purpose,
      caseReference: event.caseReference,
      watchEntryId: event.watchEntryId,
      alertId: event.alertId,
      ...(event.details === null ? {} : { details: event.details }),
    })),
  });
  return events.map((_event, index) => first + index);
}

/** How to start over once a position is older than what a feed keeps. */
export const resyncAdvice = 'Subscribe again without a cursor to receive the events from now on, and read what you may have missed with the queries of the records.';

/**
 * The events after `after`, in sequence order, at most `first`. A position
 * before what the feed still keeps is refused (CURSOR_EXPIRED): the events
 * after it are partly gone, and reading on would skip them silently.
 */
export async function readEvents(prisma: PrismaClient, after: number, first: number): Promise<FeedEventRecord[]> {
  const [rows, counter] = await Promise.all([
    prisma.event.findMany({ where: { seq: { gt: BigInt(after) } }, orderBy: { seq: 'asc' }, take: first }),
    prisma.eventCounter.findUnique({ where: { id: 1 }, select: { prunedThrough: true } }),
  ]);
  const prunedThrough = Number(counter?.prunedThrough ?? 0);
  if (after < prunedThrough) {
    throw hubError(ErrorCode.CURSOR_EXPIRED, `The feed keeps its events after ${prunedThrough} only. ${resyncAdvice}`, { keptAfter: prunedThrough });
  }
  return rows.map((row) => ({
    seq: Number(row.seq),
    at: row.at,
    kind: row.kind as EventKind,
    recipientAgency: row.recipientAgency,
    recipientUnit: row.recipientUnit,
    purpose: row.purpose,
    caseReference: row.caseReference,
    watchEntryId: row.watchEntryId,
    alertId: row.alertId,
    details: (row.details ?? null) as Prisma.InputJsonValue | null,
  }));
}

/** The last sequence number committed (0 before the first event). */
export async function eventHead(prisma: PrismaClient): Promise<number> {
  const counter = await prisma.eventCounter.findUnique({ where: { id: 1 } });
  return counter ? Number(counter.last) : 0;
}

/** What one pruning of a node's feed removed. */
export interface EventFeedPruning {
  /** Every event up to here is gone (0: none ever was). */
  prunedThrough: number;
  events: number;
  /** Hits of watch entries removed or expired: they can never hit again, and their events deliver nothing. */
  watchHits: number;
}

/**
 * Prunes a node's feed: the events up to the last one that is both taken by
 * the gateway (`through`, its position) and older than `before`, as one
 * prefix, so that what is kept is always "everything after prunedThrough";
 * and the hits of ended watch entries. In the caller's transaction, with its
 * audit entry.
 */
export async function pruneEventFeed(tx: Prisma.TransactionClient, through: number, before: Date, now = new Date()): Promise<EventFeedPruning> {
  const [last] = await tx.$queryRaw<{ seq: bigint }[]>`
    select seq from node.event where seq <= ${through} and at < ${before} order by seq desc limit 1`;
  const [counter] = await tx.$queryRaw<{ pruned_through: bigint }[]>`select pruned_through from node.event_counter where id = 1 for update`;
  const previous = Number(counter?.pruned_through ?? 0);
  const prunedThrough = Math.max(previous, Number(last?.seq ?? 0));
  const events = prunedThrough > previous ? await tx.$executeRaw`delete from node.event where seq <= ${prunedThrough}` : 0;
  if (prunedThrough > previous) await tx.$executeRaw`update node.event_counter set pruned_through = ${prunedThrough} where id = 1`;
  const watchHits = await tx.$executeRaw`
    delete from node.watch_hit h using node.watch_entry w
     where w.id = h.watch_entry_id and (w.removed_at is not null or w.expires_at <= ${now})`;
  return { prunedThrough, events, watchHits };
}
