import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import type { FeedSettings } from '../gateway/context.ts';
import type { NodeClient } from '../gateway/nodeClient.ts';
import type { Logger } from '../server/logger.ts';
import { startParts, stopParts, type ServerPart } from '../server/serverPart.ts';
import { followNodeFeeds } from './feedFollower.ts';
import { createHitFeed } from './hitFeed.ts';
import { hubFeedChannel } from './hitStream.ts';
import { listenForNotifications } from './listenForNotifications.ts';

/** Options of {@link createRealtime}: the gateway's side of real time. */
export interface RealtimeOptions {
  /** The hub database (as the application role): the hub's copy of the nodes' feeds and each follower's position. */
  databaseUrl: string;
  prisma: HubPrismaClient;
  nodes: NodeClient;
  logger: Logger;
  /** Follow the nodes' event feeds. Default true; a gateway that only serves (a second replica may leave it on too: followers share positions in the hub database) can turn it off. */
  followFeeds?: boolean;
  /** How long one read of a node's feed waits at the node for the next event. Default 2,000 ms. */
  feedWaitMs?: number;
  /** Time a node has to answer a feed read. Default 5,000 ms. */
  nodeTimeoutMs?: number;
  /** The process's reader of the hub feed reads again at least this often, whether or not a notification came. Default 2,000 ms. */
  subscriptionPollMs?: number;
  /** Hits one subscription holds for its client at most; a subscription further behind reads the hub feed itself. Default 1,000. */
  subscriptionBufferSize?: number;
}

/** The gateway's real time: what its subscriptions read (for the context) and the part that runs it. */
export interface Realtime extends ServerPart {
  feed: FeedSettings;
}

/**
 * The gateway's side of the event path (outbox → node feed → gateway
 * follower → subscription): followers copy each node's feed into the hub
 * database through the node contract; one reader per process hands the
 * copied events to this process's subscriptions, woken by NOTIFY. The
 * graphql-ws endpoint (createSocketServer.ts) is a part of its own: it needs
 * the gateway's Yoga server, which needs this part's feed.
 */
export function createRealtime(options: RealtimeOptions): Realtime {
  const { databaseUrl, prisma, nodes, logger } = options;
  const notifier = listenForNotifications({ databaseUrl, channel: hubFeedChannel, logger });
  // One reader of the hub feed for every subscription of this process, started by the first.
  const hits = createHitFeed({
    prisma,
    notifier,
    agencies: nodes.agencies,
    logger,
    ...(options.subscriptionPollMs ? { pollMs: options.subscriptionPollMs } : {}),
    ...(options.subscriptionBufferSize ? { bufferSize: options.subscriptionBufferSize } : {}),
  });
  let followers: { stop(): Promise<void> } | undefined;
  const feedParts: ServerPart[] = [
    { name: 'hub feed notifier', stop: () => notifier.close() },
    { name: 'hub feed reader', stop: () => hits.stop() },
    {
      name: 'node feed followers',
      start() {
        if (options.followFeeds === false) return;
        followers = followNodeFeeds({
          nodes,
          prisma,
          logger,
          ...(options.feedWaitMs ? { waitMs: options.feedWaitMs } : {}),
          ...(options.nodeTimeoutMs ? { nodeTimeoutMs: options.nodeTimeoutMs } : {}),
        });
      },
      stop: () => followers?.stop(),
    },
  ];
  return {
    name: 'real time',
    feed: { hits },
    start: () => startParts(feedParts),
    // The followers first (no new events), then the reader, then its notifier.
    stop: () => stopParts(feedParts),
  };
}
