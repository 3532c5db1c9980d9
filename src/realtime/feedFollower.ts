import { setTimeout as wait } from 'node:timers/promises';
import type { HubPrismaClient as PrismaClient } from '../database/createHubPrismaClient.ts';
import type { FeedEventView } from '../domain/watchView.ts';
import type { Logger } from '../server/logger.ts';
import type { NodeClient } from '../gateway/nodeClient.ts';
import { nodeOperations } from '../gateway/nodeOperations.ts';
import { createFeedLeases } from './feedLeases.ts';
import { audience, storeNumberedEvents } from './hubFeedStore.ts';

/** Options for {@link followNodeFeeds}. */
export interface FeedFollowerOptions {
  nodes: NodeClient;
  /** The hub database: positions and the routing of the events taken. */
  prisma: PrismaClient;
  /** The hub database's URL (as the application role), for the feed leases' own connection. */
  databaseUrl: string;
  logger: Logger;
  /** How long a feed lease lasts unrenewed (see {@link createFeedLeases}). Default 10,000 ms. */
  leaseTtlMs?: number;
  /** How long one read of a feed waits for the next event at the node (long poll). Default 2,000 ms. */
  waitMs?: number;
  /** Events taken per read. Default 100. */
  batch?: number;
  /** Pause after a node did not answer. Default 1,000 ms. */
  retryDelayMs?: number;
  /** The client's own timeout for a node call, added to the wait. Default 5,000 ms. */
  nodeTimeoutMs?: number;
}

interface EventFeedResult {
  eventFeed: { events: FeedEventView[] };
}

/** Waits `ms`, or less when stopped; Node's own timer takes its listener off the signal when it fires, so a long outage's retries leave none behind. */
const sleep = (ms: number, signal: AbortSignal) => wait(ms, undefined, { signal }).catch(() => {});

/** Where the gateway stands in one node's feed (0 before its first event). */
export async function feedPosition(prisma: PrismaClient, agency: string): Promise<number> {
  const row = await prisma.feedPosition.findUnique({ where: { source: agency } });
  return row ? Number(row.seq) : 0;
}

/**
 * Stores what a feed read returned in the hub's feed, addressed as the node
 * addressed it (a unit, or the whole agency), and moves the position: see
 * {@link storeNumberedEvents}.
 */
export function takeEvents(prisma: PrismaClient, agency: string, events: readonly FeedEventView[]): Promise<number> {
  return prisma.$transaction((tx) =>
    storeNumberedEvents(
      tx,
      agency,
      events.map((event) => ({
        seq: event.seq,
        at: new Date(event.at),
        kind: event.kind,
        audience: event.recipientUnit === null ? audience.agency(event.recipientAgency) : audience.unit(event.recipientAgency, event.recipientUnit),
        recordId: event.alertId,
        purpose: event.purpose,
        caseReference: event.caseReference,
        details: event.watchEntryId ? { watchEntryId: event.watchEntryId } : null,
      })),
    ),
  );
}

/**
 * Follows every node's event feed through the node contract (eventFeed, with
 * the gateway's service credential), from the position kept in the hub
 * database, so a restarted gateway resumes where it stood. Only while this
 * process holds the source's lease (feedLeases.ts): across the gateway
 * processes of a hub database one follows each node, the others stand by
 * and take over, from the hub feed's position, when it dies. A node that
 * does not answer is retried; the others go on.
 */
export function followNodeFeeds({ nodes, prisma, databaseUrl, logger, leaseTtlMs, waitMs = 2_000, batch = 100, retryDelayMs = 1_000, nodeTimeoutMs = 5_000 }: FeedFollowerOptions) {
  const controller = new AbortController();
  const { signal } = controller;
  const leases = createFeedLeases({ databaseUrl, sources: nodes.agencies, logger, ...(leaseTtlMs ? { ttlMs: leaseTtlMs } : {}) });
  const follow = async (agency: string) => {
    let failing = false;
    while (!signal.aborted) {
      const term = await leases.hold(agency, signal);
      if (!term) break;
      // Read from the hub database once per term; then this process is the one that moves it.
      let after: number | undefined;
      while (!term.aborted) {
        try {
          after ??= await feedPosition(prisma, agency);
          const { eventFeed } = await nodes.serviceRequest<EventFeedResult>(
            agency,
            nodeOperations.eventFeed,
            { after, first: batch, waitMs },
            { timeoutMs: waitMs + nodeTimeoutMs, signal: term },
          );
          const { events } = eventFeed;
          if (events.length) {
            const stored = await takeEvents(prisma, agency, events);
            // Fewer stored: another process stored some (a takeover's overlap); its position says where to go on.
            after = stored === events.length ? events.at(-1)!.seq : undefined;
          }
          if (failing) logger.info({ agency }, 'following the event feed again');
          failing = false;
        } catch (error) {
          if (term.aborted) break;
          after = undefined;
          if (!failing) logger.warn({ err: error, agency }, 'cannot follow the event feed; retrying');
          failing = true;
          await sleep(retryDelayMs, term);
        }
      }
    }
  };
  const running = nodes.agencies.map((agency) => follow(agency));
  return {
    async stop() {
      controller.abort();
      await Promise.allSettled(running);
      await leases.stop();
    },
  };
}
