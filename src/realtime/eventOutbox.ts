import type { Prisma, PrismaClient } from '../generated/node/client.ts';

/** The channel migrations/0004 notifies on each committed event. */
export const nodeEventsChannel = 'hub_node_events';

/** Kinds of event a node writes to its outbox. */
export const eventKinds = ['HIT'] as const;
export type EventKind = (typeof eventKinds)[number];

/**
 * What an event says: who it is for and which record it is about. Never a
 * copy of the record: what the recipient learns is decided when the event is
 * delivered, with the consent in force then.
 */
export interface OutboxEvent {
  kind: EventKind;
  recipientAgency: string;
  recipientUnit: string | null;
  watchEntryId: string | null;
  alertId: string;
  details: Prisma.InputJsonValue | null;
}

/** An event as the feed hands it on, with the purpose of the watch entry it is for. */
export interface FeedEventRecord extends OutboxEvent {
  seq: number;
  at: Date;
  purpose: string | null;
  caseReference: string | null;
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
      watchEntryId: event.watchEntryId,
      alertId: event.alertId,
      ...(event.details === null ? {} : { details: event.details }),
    })),
  });
  return events.map((_event, index) => first + index);
}

/** The events after `after`, in sequence order, at most `first`. */
export async function readEvents(prisma: PrismaClient, after: number, first: number): Promise<FeedEventRecord[]> {
  const rows = await prisma.event.findMany({ where: { seq: { gt: BigInt(after) } }, orderBy: { seq: 'asc' }, take: first });
  const watchIds = [...new Set(rows.flatMap((row) => (row.watchEntryId ? [row.watchEntryId] : [])))];
  const entries = watchIds.length
    ? await prisma.watchEntry.findMany({ where: { id: { in: watchIds } }, select: { id: true, purpose: true, caseReference: true } })
    : [];
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  return rows.map((row) => {
    const entry = row.watchEntryId ? byId.get(row.watchEntryId) : undefined;
    return {
      seq: Number(row.seq),
      at: row.at,
      kind: row.kind as EventKind,
      recipientAgency: row.recipientAgency,
      recipientUnit: row.recipientUnit,
      watchEntryId: row.watchEntryId,
      alertId: row.alertId,
      details: (row.details ?? null) as Prisma.InputJsonValue | null,
      purpose: entry?.purpose ?? null,
      caseReference: entry?.caseReference ?? null,
    };
  });
}

/** The last sequence number committed (0 before the first event). */
export async function eventHead(prisma: PrismaClient): Promise<number> {
  const counter = await prisma.eventCounter.findUnique({ where: { id: 1 } });
  return counter ? Number(counter.last) : 0;
}
