import type { HubPrismaClient as PrismaClient } from '../database/createHubPrismaClient.ts';
import type { DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { FeedEvent, Prisma } from '../generated/hub/client.ts';
import type { Logger } from '../server/logger.ts';
import type { EventNotifier } from './listenForNotifications.ts';

/** Where a subscriber stands in each source's feed: the last sequence number delivered or passed over. */
export type FeedPositions = Record<string, number>;

/**
 * What one subscription receives: the events of these kinds, addressed to
 * one of these audiences, from these sources; and of the events that belong
 * to a purpose, only those of the purpose and case it works under.
 */
export interface FeedInterest {
  audiences: readonly string[];
  kinds: readonly string[];
  sources: readonly string[];
  purpose: DeclaredPurpose;
}

/** Options for {@link createHubFeed}. */
export interface HubFeedOptions {
  prisma: PrismaClient;
  /** Wakes the reader when the hub's feed grows (an event taken from a node, or the hub's own). */
  notifier: EventNotifier;
  /** Every source of the hub's feed: the agencies' nodes and the hub itself. */
  sources: readonly string[];
  logger: Logger;
  /** The reader reads again at least this often, notification or not; a live subscription returns empty at least this often. Default 2,000 ms. */
  pollMs?: number;
  /** Rows one read takes at most (the reader's and a catch-up's). Default 500. */
  batch?: number;
  /** Rows one subscription holds for its consumer at most; past that it reads the durable feed itself. Default 1,000. */
  bufferSize?: number;
  /** How long a held source (its node did not answer) waits before it is tried again. Default `pollMs`. */
  holdMs?: number;
}

/**
 * One subscription's place in the feed. Rows come from the process's one
 * reader while the consumer keeps up, and from the durable feed (hub.feed_event)
 * at its own positions when it starts, when it fell behind (its buffer
 * overflowed) or when a source was held: never dropped, each once, in each
 * source's order.
 */
export interface FeedSubscription {
  /** Where the consumer stands; moved by {@link advance} only. */
  readonly positions: Readonly<FeedPositions>;
  /**
   * The next rows of interest after the positions, in each source's order;
   * empty after `pollMs` without any, or once the signal aborts or the feed stops.
   */
  take(signal: AbortSignal): Promise<FeedEvent[]>;
  /** The consumer delivered or passed over this row. */
  advance(row: FeedEvent): void;
  /** Whether the feed has stopped (the gateway is stopping): takes return nothing more. */
  stopped(): boolean;
  /**
   * The consumer cannot deliver this source's rows now (its node does not
   * answer, `reason`): they are read again from the durable feed, from the
   * source's position, after a pause. The other sources go on meanwhile.
   * The operator is told once, when the first subscription of the process
   * holds the source, and again once one delivers from it.
   */
  hold(source: string, reason?: unknown): void;
  close(): void;
}

export interface HubFeed {
  subscribe(interest: FeedInterest, start: FeedPositions): FeedSubscription;
  /** Ends the reader and every subscription's wait. */
  stop(): Promise<void>;
}

/** Where the hub's feed of each source ends now (read from hub.feed_position, never from the feed itself): a subscriber without a cursor starts here. */
export async function currentPositions(prisma: PrismaClient, sources: readonly string[]): Promise<FeedPositions> {
  const rows = await prisma.feedPosition.findMany({ where: { source: { in: [...sources] } } });
  const positions: FeedPositions = Object.fromEntries(sources.map((source) => [source, 0]));
  for (const row of rows) positions[row.source] = Number(row.seq);
  return positions;
}

/** The filter of an interest: its audiences and kinds, and the purpose rule. */
function interestWhere(interest: FeedInterest): Prisma.FeedEventWhereInput {
  return {
    audience: { in: [...interest.audiences] },
    kind: { in: [...interest.kinds] },
    OR: [{ purpose: null }, { purpose: interest.purpose.code, caseReference: interest.purpose.caseReference }],
  };
}

/** Whether a row the reader read is of an interest. */
function interested(interest: FeedInterest, row: FeedEvent): boolean {
  return (
    interest.kinds.includes(row.kind) &&
    interest.sources.includes(row.source) &&
    (row.purpose === null || (row.purpose === interest.purpose.code && row.caseReference === interest.purpose.caseReference))
  );
}

/**
 * Rows after `after` in each source's feed (at most `upTo` where given), in
 * (source, seq) order: the primary key's, or the (audience, source, seq)
 * index's for one interest.
 */
function readFeed(prisma: PrismaClient, sources: readonly string[], after: FeedPositions, take: number, interest?: FeedInterest, upTo?: FeedPositions) {
  const ranges = sources
    .filter((source) => !upTo || (upTo[source] ?? 0) > (after[source] ?? 0))
    .map((source) => ({ source, seq: { gt: BigInt(after[source] ?? 0), ...(upTo ? { lte: BigInt(upTo[source] ?? 0) } : {}) } }));
  if (ranges.length === 0) return Promise.resolve([]);
  return prisma.feedEvent.findMany({
    where: { AND: [{ OR: ranges }, ...(interest ? [interestWhere(interest)] : [])] },
    orderBy: [{ source: 'asc' }, { seq: 'asc' }],
    take,
  });
}

interface Follower {
  interest: FeedInterest;
  positions: FeedPositions;
  /** Rows the reader handed over since the last take, all beyond the bounds of any catch-up. */
  buffer: FeedEvent[];
  /** Not registered for rows from the reader: the next take registers and catches up from the durable feed. */
  behind: boolean;
  /** Per source catching up: the durable feed is read from the position up to here; the reader's rows beyond it wait in the buffer. */
  catchUp: Map<string, number>;
  /** Per source held back (its node did not answer): until when; its rows are read again from the durable feed afterwards. */
  held: Map<string, number>;
  wake: (() => void) | null;
}

/**
 * The hub's feed as one gateway process reads it: one reader of
 * hub.feed_event per process, whatever the number of subscriptions, reading
 * once per notification and handing each row to the subscriptions of its
 * audience in memory.
 *
 * The durable feed of one source only grows at its end, in sequence order
 * (rows are stored contiguous under the source's position lock, see
 * hubFeedStore.ts), so whatever a read sees is a prefix of the source's rows.
 * A subscription registers with the reader and takes the reader's position
 * at that instant as its bound: the reader hands it every row beyond, and it
 * reads the rows from its own positions up to the bound from the durable
 * feed itself. When its buffer is full (its consumer is slow), the reader
 * stops handing it rows and it does the same again from where its consumer
 * stands; when one source is held, only that source's rows are read again,
 * later, from the durable feed, and the other sources' rows keep coming.
 */
export function createHubFeed({ prisma, notifier, sources, logger, pollMs = 2_000, batch = 500, bufferSize = 1_000, holdMs = pollMs }: HubFeedOptions): HubFeed {
  const followers = new Map<string, Set<Follower>>();
  // Sources whose rows a subscription held and none has delivered since: as a request's missing agency is, said once per outage, not per push.
  const unanswered = new Set<string>();
  const stopping = new AbortController();
  let head: FeedPositions | null = null;
  let running: Promise<void> | null = null;
  let ready: Promise<void> | null = null;
  /** Subscriptions registered so far: tells the reader whether one arrived while it looked up the feed's end. */
  let registrations = 0;

  const wake = (follower: Follower) => {
    const resolve = follower.wake;
    follower.wake = null;
    resolve?.();
  };

  const dispatch = (row: FeedEvent) => {
    for (const follower of followers.get(row.audience) ?? []) {
      if (follower.behind || !interested(follower.interest, row)) continue;
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

  /**
   * With no subscription in the process, moves the head to the feed's end
   * instead of reading rows nobody here awaits (a gateway without live
   * subscribers reads no event at all). A subscription that registered while
   * the end was looked up may already be bounded by the head it saw: then the
   * head stays, and the reader reads on from it. True when it moved.
   */
  const skipToEnd = async (): Promise<boolean> => {
    if (followers.size > 0) return false;
    const seen = registrations;
    const end = await currentPositions(prisma, sources);
    if (registrations !== seen || followers.size > 0) return false;
    for (const source of sources) head![source] = Math.max(head![source] ?? 0, end[source] ?? 0);
    return true;
  };

  const read = async () => {
    const { signal } = stopping;
    while (!signal.aborted) {
      const since = notifier.generation();
      let rows: FeedEvent[] = [];
      try {
        if (await skipToEnd()) {
          await notifier.wait(pollMs, signal, since);
          continue;
        }
        rows = await readFeed(prisma, sources, head!, batch);
      } catch (error) {
        if (signal.aborted) return;
        logger.warn({ err: error }, 'cannot read the hub feed; retrying');
      }
      // Handed over synchronously with the head's move: a subscription that registers between two reads has its bound right.
      for (const row of rows) {
        head![row.source] = Number(row.seq);
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
          head = await currentPositions(prisma, sources);
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
      const timer = setTimeout(done, Math.max(ms, 0));
      signal.addEventListener('abort', done, { once: true });
      follower.wake = done;
    });

  return {
    subscribe(interest, from) {
      const follower: Follower = {
        interest,
        positions: Object.fromEntries(interest.sources.map((source) => [source, from[source] ?? 0])),
        buffer: [],
        behind: true,
        catchUp: new Map(),
        held: new Map(),
        wake: null,
      };
      for (const audience of interest.audiences) {
        const set = followers.get(audience) ?? new Set();
        set.add(follower);
        followers.set(audience, set);
      }
      registrations++;
      void start();
      const fresh = (row: FeedEvent) => Number(row.seq) > (follower.positions[row.source] ?? 0);
      /** Registers with the reader and bounds the catch-up in one step: the reader hands over every row beyond the bound from now on. */
      const catchUpTo = (source: string) => {
        if ((head![source] ?? 0) > (follower.positions[source] ?? 0)) follower.catchUp.set(source, head![source]!);
      };
      return {
        positions: follower.positions,
        async take(signal) {
          await start();
          while (!signal.aborted && !stopping.signal.aborted) {
            const now = Date.now();
            for (const [source, until] of follower.held) {
              if (until > now) continue;
              follower.held.delete(source);
              catchUpTo(source);
            }
            if (follower.behind) {
              follower.behind = false;
              follower.buffer = [];
              follower.catchUp.clear();
              for (const source of interest.sources) if (!follower.held.has(source)) catchUpTo(source);
            }
            if (follower.catchUp.size) {
              const catching = [...follower.catchUp.keys()];
              const upTo = Object.fromEntries(follower.catchUp);
              const rows = await readFeed(prisma, catching, follower.positions, batch, interest, upTo);
              // Rows come in source order: the sources before the last row's are read to their bound, and all of them when the batch was not full.
              const last = rows.at(-1)?.source;
              for (const source of catching) {
                if (rows.length < batch || (last !== undefined && source < last)) follower.catchUp.delete(source);
              }
              const unseen = rows.filter(fresh);
              if (unseen.length) return unseen;
              continue;
            }
            const rows = follower.buffer.splice(0).filter((row) => !follower.held.has(row.source) && fresh(row));
            if (rows.length) return rows;
            const nextRelease = Math.min(...follower.held.values());
            await pause(follower, signal, Math.min(pollMs, nextRelease - Date.now()));
            if (follower.buffer.length === 0 && !follower.behind && !(nextRelease <= Date.now())) return [];
          }
          return [];
        },
        advance(row) {
          const seq = Number(row.seq);
          if (seq > (follower.positions[row.source] ?? 0)) follower.positions[row.source] = seq;
          if (unanswered.delete(row.source)) logger.info({ agency: row.source }, 'pushes of this agency’s events are delivered again');
        },
        stopped: () => stopping.signal.aborted,
        hold(source, reason) {
          if (!unanswered.has(source)) {
            unanswered.add(source);
            logger.warn({ agency: source, err: reason }, 'pushes of this agency’s events are held: its node does not answer; they wait in the hub feed and go out in order once it does');
          }
          follower.held.set(source, Date.now() + holdMs);
          follower.catchUp.delete(source);
          follower.buffer = follower.buffer.filter((row) => row.source !== source);
        },
        close() {
          for (const audience of interest.audiences) {
            const set = followers.get(audience);
            set?.delete(follower);
            if (set?.size === 0) followers.delete(audience);
          }
          wake(follower);
        },
      };
    },
    async stop() {
      stopping.abort();
      for (const set of followers.values()) for (const follower of set) wake(follower);
      await ready;
      await running;
    },
  };
}
