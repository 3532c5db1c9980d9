import type { HubPrismaClient as PrismaClient } from '../database/createHubPrismaClient.ts';
import type { EventNotifier } from './listenForNotifications.ts';
import type { FeedEvent } from '../generated/hub/client.ts';
import type { Logger } from '../server/logger.ts';

/** Where a subscriber stands in each node's feed: the last sequence number delivered or passed over. */
export type FeedPositions = Record<string, number>;

/** The unit a subscription is for: hits are addressed to a unit of an agency. */
export interface FeedRecipient {
  agency: string;
  unit: string;
}

/** Options for {@link createHitFeed}. */
export interface HitFeedOptions {
  prisma: PrismaClient;
  /** Wakes the reader when the gateway (any process) takes an event from a node's feed. */
  notifier: EventNotifier;
  agencies: readonly string[];
  logger: Logger;
  /** The reader reads again at least this often, notification or not; a live subscription returns empty at least this often. Default 2,000 ms. */
  pollMs?: number;
  /** Rows one read takes at most (the reader's and a catch-up's). Default 500. */
  batch?: number;
  /** Rows one subscription holds for its consumer at most; past that it reads the durable feed itself. Default 1,000. */
  bufferSize?: number;
}

/**
 * One subscription's place in the feed. Rows come from the process's one
 * reader while the consumer keeps up, and from the durable feed (hub.feed_event)
 * at its own positions when it starts, when it fell behind (its buffer
 * overflowed) or when it held a node back: never dropped, each once, in each
 * feed's order.
 */
export interface FeedSubscription {
  /** Where the consumer stands; moved by {@link advance} only. */
  readonly positions: Readonly<FeedPositions>;
  /**
   * The next rows for the recipient after its positions, in each feed's order;
   * empty after `pollMs` without any, or once the signal aborts or the feed stops.
   */
  take(signal: AbortSignal): Promise<FeedEvent[]>;
  /** The consumer delivered or passed over this row. */
  advance(row: FeedEvent): void;
  /**
   * The consumer cannot deliver this agency's rows now (its node does not
   * answer): they are read again from the durable feed, from the agency's
   * position, after a pause.
   */
  hold(agency: string): void;
  close(): void;
}

export interface HitFeed {
  subscribe(recipient: FeedRecipient, start: FeedPositions): FeedSubscription;
  /** How far the reader has read and handed over each feed; null until the first subscription started it. */
  position(): Readonly<FeedPositions> | null;
  /** Ends the reader and every subscription's wait. */
  stop(): Promise<void>;
}

/** The newest event taken from each feed: where a subscriber without a cursor starts. */
export async function currentPositions(prisma: PrismaClient, agencies: readonly string[]): Promise<FeedPositions> {
  const rows = await prisma.feedEvent.groupBy({ by: ['agency'], _max: { seq: true } });
  const positions: FeedPositions = Object.fromEntries(agencies.map((agency) => [agency, 0]));
  for (const row of rows) positions[row.agency] = Number(row._max.seq ?? 0);
  return positions;
}

/** Rows after `after` in each agency's feed (at most `upTo` where given), in (agency, seq) order: the primary key's. */
function readFeed(prisma: PrismaClient, agencies: readonly string[], after: FeedPositions, take: number, recipient?: FeedRecipient, upTo?: FeedPositions) {
  const ranges = agencies
    .filter((agency) => !upTo || (upTo[agency] ?? 0) > (after[agency] ?? 0))
    .map((agency) => ({ agency, seq: { gt: BigInt(after[agency] ?? 0), ...(upTo ? { lte: BigInt(upTo[agency] ?? 0) } : {}) } }));
  if (ranges.length === 0) return Promise.resolve([]);
  return prisma.feedEvent.findMany({
    where: { OR: ranges, ...(recipient ? { kind: 'HIT', recipientAgency: recipient.agency, recipientUnit: recipient.unit } : {}) },
    orderBy: [{ agency: 'asc' }, { seq: 'asc' }],
    take,
  });
}

const unitKey = (agency: string, unit: string) => `${agency}\u0000${unit}`;

interface Follower {
  recipient: FeedRecipient;
  positions: FeedPositions;
  /** Rows the reader handed over since the last take, all beyond `catchUpTo`. */
  buffer: FeedEvent[];
  /** Not registered for rows from the reader: the next take registers and catches up from the durable feed. */
  behind: boolean;
  /** Catching up: the durable feed is read from the positions up to here; the reader's rows beyond it wait in the buffer. */
  catchUpTo: FeedPositions | null;
  /** An agency held back: pause before reading the durable feed again. */
  held: boolean;
  wake: (() => void) | null;
}

/**
 * The hits of one gateway process: one reader of hub.feed_event per process,
 * whatever the number of subscriptions, reading once per notification and
 * handing each row to the subscriptions of its recipient unit in memory.
 *
 * The durable feed for one agency only grows at its end, in sequence order
 * (takeEvents stores contiguous rows under the feed position's row lock), so
 * whatever a read sees is a prefix of the agency's rows. A subscription
 * registers with the reader and takes the reader's position at that instant
 * as its bound: the reader hands it every row beyond, and it reads the rows
 * from its own positions up to the bound from the durable feed itself. When
 * its buffer is full (its consumer is slow), the reader stops handing it rows
 * and it does the same again from where its consumer stands.
 */
export function createHitFeed({ prisma, notifier, agencies, logger, pollMs = 2_000, batch = 500, bufferSize = 1_000 }: HitFeedOptions): HitFeed {
  const followers = new Map<string, Set<Follower>>();
  const stopping = new AbortController();
  let head: FeedPositions | null = null;
  let running: Promise<void> | null = null;
  let ready: Promise<void> | null = null;

  const wake = (follower: Follower) => {
    const resolve = follower.wake;
    follower.wake = null;
    resolve?.();
  };

  const dispatch = (row: FeedEvent) => {
    if (row.kind !== 'HIT' || row.recipientUnit === null) return;
    for (const follower of followers.get(unitKey(row.recipientAgency, row.recipientUnit)) ?? []) {
      if (follower.behind) continue;
      if (follower.buffer.length >= bufferSize) {
        // Its consumer is slow: what it has not taken is in the durable feed, read again from its positions.
        follower.buffer = [];
        follower.behind = true;
      } else {
        follower.buffer.push(row);
      }
      wake(follower);
    }
  };

  const read = async () => {
    const { signal } = stopping;
    while (!signal.aborted) {
      const since = notifier.generation();
      let rows: FeedEvent[] = [];
      try {
        rows = await readFeed(prisma, agencies, head!, batch);
      } catch (error) {
        if (signal.aborted) return;
        logger.warn({ err: error }, 'cannot read the hub feed; retrying');
      }
      // Handed over synchronously with the head's move: a subscription that registers between two reads has its bound right.
      for (const row of rows) {
        head![row.agency] = Number(row.seq);
        dispatch(row);
      }
      if (rows.length < batch) await notifier.wait(pollMs, signal, since);
    }
  };

  /** Starts the reader at the feed's current end, once. */
  const start = () =>
    (ready ??= (async () => {
      for (;;) {
        try {
          head = await currentPositions(prisma, agencies);
          break;
        } catch (error) {
          if (stopping.signal.aborted) return;
          logger.warn({ err: error }, 'cannot read the hub feed; retrying');
          await notifier.wait(pollMs, stopping.signal);
        }
      }
      if (!stopping.signal.aborted) running = read();
    })());

  // Woken by a row, by close() or stop() (which wake every follower), by the consumer's signal or at the timeout.
  const pause = (follower: Follower, signal: AbortSignal, ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (follower.wake === done) follower.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      follower.wake = done;
    });

  return {
    subscribe(recipient, start_) {
      const key = unitKey(recipient.agency, recipient.unit);
      const follower: Follower = { recipient, positions: { ...start_ }, buffer: [], behind: true, catchUpTo: null, held: false, wake: null };
      const unit = followers.get(key) ?? new Set();
      unit.add(follower);
      followers.set(key, unit);
      void start();
      const fresh = (row: FeedEvent) => Number(row.seq) > (follower.positions[row.agency] ?? 0);
      return {
        positions: follower.positions,
        async take(signal) {
          await start();
          while (!signal.aborted && !stopping.signal.aborted) {
            if (follower.held) {
              follower.held = false;
              await pause(follower, signal, pollMs);
              continue;
            }
            if (follower.behind) {
              // Registered and bounded in one step: the reader hands over every row beyond the bound from now on.
              follower.behind = false;
              follower.buffer = [];
              follower.catchUpTo = { ...head! };
            }
            if (follower.catchUpTo) {
              const rows = await readFeed(prisma, agencies, follower.positions, batch, recipient, follower.catchUpTo);
              if (rows.length < batch) follower.catchUpTo = null;
              const unseen = rows.filter(fresh);
              if (unseen.length) return unseen;
              continue;
            }
            const rows = follower.buffer.splice(0).filter(fresh);
            if (rows.length) return rows;
            await pause(follower, signal, pollMs);
            if (follower.buffer.length === 0 && !follower.behind) return [];
          }
          return [];
        },
        advance(row) {
          const seq = Number(row.seq);
          if (seq > (follower.positions[row.agency] ?? 0)) follower.positions[row.agency] = seq;
        },
        hold() {
          follower.held = true;
          follower.behind = true;
          follower.buffer = [];
          follower.catchUpTo = null;
        },
        close() {
          unit.delete(follower);
          if (unit.size === 0 && followers.get(key) === unit) followers.delete(key);
          wake(follower);
        },
      };
    },
    position: () => (head ? { ...head } : null),
    async stop() {
      stopping.abort();
      for (const unit of followers.values()) for (const follower of unit) wake(follower);
      await ready;
      await running;
    },
  };
}
