import type { Prisma } from '../generated/hub/client.ts';
import { hubOwner } from '../gateway/globalId.ts';

/** The channel migrations/hub/0004 notifies on when the hub's feed grows (payload: the source). */
export const hubFeedChannel = 'hub_feed_events';

/** The source of the events the hub writes itself (joint-operation updates), beside the agencies' nodes. */
export const hubSource = hubOwner;

/** Audiences: whom an event of the hub's feed is for. A subscription names those it receives. */
export const audience = {
  /** The officers of one unit (a hit on the unit's watch entry). */
  unit: (agency: string, unit: string) => `unit:${agency}:${unit}`,
  /** The officers of an agency whom the kind's delivery lets have it. */
  agency: (agency: string) => `agency:${agency}`,
  /** The members of a joint operation. */
  operation: (operationId: string) => `operation:${operationId}`,
};

/** An event to store in the hub's feed. */
export interface HubFeedEventInput {
  at: Date;
  kind: string;
  audience: string;
  recordId: string;
  /** The purpose and case it belongs to: only subscribers working under them receive it. Null: any. */
  purpose: string | null;
  caseReference: string | null;
  details: Prisma.InputJsonValue | null;
}

/** Takes the row lock of a source's position (creating it at 0) and reads it: held until the transaction ends. */
async function lockPosition(tx: Prisma.TransactionClient, source: string): Promise<number> {
  await tx.$executeRaw`insert into hub.feed_position (source, seq) values (${source}, 0) on conflict do nothing`;
  const [locked] = await tx.$queryRaw<{ seq: bigint }[]>`select seq from hub.feed_position where source = ${source} for update`;
  return Number(locked!.seq);
}

async function store(tx: Prisma.TransactionClient, source: string, first: number, events: readonly HubFeedEventInput[]): Promise<void> {
  await tx.feedEvent.createMany({
    data: events.map((event, index) => ({
      source,
      seq: BigInt(first + index),
      at: event.at,
      kind: event.kind,
      audience: event.audience,
      recordId: event.recordId,
      purpose: event.purpose,
      caseReference: event.caseReference,
      ...(event.details === null ? {} : { details: event.details }),
    })),
  });
  await tx.feedPosition.update({ where: { source }, data: { seq: BigInt(first + events.length - 1), updatedAt: new Date() } });
}

/**
 * Stores events of a source whose numbers are given (a node's feed, as the
 * node numbered them), under the source's position lock: only what lies
 * beyond the position, contiguous with it. Two gateway processes following
 * one node are ordered by the lock and store each event once; anything else
 * (a gap, a node answering out of order) stores nothing, and is read again
 * from the position. Resolves with how many were stored.
 */
export async function storeNumberedEvents(tx: Prisma.TransactionClient, source: string, events: readonly (HubFeedEventInput & { seq: number })[]): Promise<number> {
  const position = await lockPosition(tx, source);
  const fresh = events.filter((event) => event.seq > position);
  if (fresh.length === 0 || fresh.some((event, index) => event.seq !== position + 1 + index)) return 0;
  await store(tx, source, position + 1, fresh);
  return fresh.length;
}

/**
 * Appends the hub's own events (source HUB) in the caller's transaction,
 * numbered after the position under its row lock: numbers are handed out in
 * commit order and a rollback leaves no hole, as in a node's outbox. Call it
 * last in the change, just before its audit entry, so that writers queue
 * only for the commit.
 */
export async function appendHubEvents(tx: Prisma.TransactionClient, events: readonly HubFeedEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const position = await lockPosition(tx, hubSource);
  await store(tx, hubSource, position + 1, events);
}
