import type { DigestKey } from '../audit/termDigests.ts';
import type { ExchangeAgreement } from '../consent/agreement.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import type { FeedSettings } from '../gateway/context.ts';
import type { NodeClient } from '../gateway/nodeClient.ts';
import type { TrustList } from '../identity/trustList.ts';
import type { Logger } from '../server/logger.ts';
import { startParts, stopParts, type ServerPart } from '../server/serverPart.ts';
import { createConnectionCaps } from './connectionCaps.ts';
import { feedCursorKey } from './feedCursor.ts';
import { followNodeFeeds } from './feedFollower.ts';
import { createConsentDeadlineSchedule } from './consentDeadlineSchedule.ts';
import { createFeedRetention } from './feedRetention.ts';
import { createHubFeed } from './hubFeed.ts';
import { hubFeedChannel, hubSource } from './hubFeedStore.ts';
import { listenForNotifications } from './listenForNotifications.ts';

/** Options of {@link createRealtime}: the gateway's side of real time. */
export interface RealtimeOptions {
  /** The hub database (as the application role): the hub's feed and each source's position. */
  databaseUrl: string;
  prisma: HubPrismaClient;
  nodes: NodeClient;
  /** The gateway's own secret, from which its cursor key is derived (see feedCursor.ts). */
  auditDigestKey: DigestKey;
  /** Every push verifies the subscriber again against it. */
  trustList: TrustList;
  logger: Logger;
  /** The exchange agreement in force: how long the feeds keep delivered events. */
  agreement: ExchangeAgreement;
  /** Take part in following the nodes' event feeds. Default true: one process at a time follows each node, the others stand by (feedLeases.ts); a gateway that only serves can turn it off. */
  followFeeds?: boolean;
  /** How long a process's lease on a node's feed lasts unrenewed: a process that died is taken over within about 1.25× this. Default 10,000 ms. */
  feedLeaseTtlMs?: number;
  /** How long one read of a node's feed waits at the node for the next event. Default 2,000 ms. */
  feedWaitMs?: number;
  /** Time a node has to answer a feed read. Default 5,000 ms. */
  nodeTimeoutMs?: number;
  /** The process's reader of the hub feed reads again at least this often, whether or not a notification came. Default 2,000 ms. */
  subscriptionPollMs?: number;
  /** Events one subscription holds for its client at most; a subscription further behind reads the hub feed itself. Default 1,000. */
  subscriptionBufferSize?: number;
  /** Connections (WebSockets and subscriptions over server-sent events) one officer may hold, across the gateway processes of the hub database. Default 10. */
  maxConnectionsPerOfficer?: number;
  /** How often the feeds are pruned of what the agreement no longer keeps (a job in the hub database). Default 1 hour. */
  feedRetentionIntervalMs?: number;
  /** How often the consent deadlines are looked for and announced (a job in the hub database). Default 5 minutes. */
  consentDeadlineIntervalMs?: number;
}

/** The gateway's real time: what its subscriptions read (for the context) and the part that runs it. */
export interface Realtime extends ServerPart {
  feed: FeedSettings;
}

/**
 * The gateway's side of the event path (outbox → node feed → gateway
 * follower → subscription): followers copy each node's feed into the hub's
 * feed through the node contract (the hub writes its own events there in the
 * changes' transactions); one reader per process hands the events to this
 * process's subscriptions, woken by NOTIFY; a job prunes what the agreement
 * no longer keeps, another makes consent deadlines act. The graphql-ws endpoint (createSocketServer.ts) is a part
 * of its own: it needs the gateway's Yoga server, which needs this part's feed.
 */
export function createRealtime(options: RealtimeOptions): Realtime {
  const { databaseUrl, prisma, nodes, logger } = options;
  const notifier = listenForNotifications({ databaseUrl, channel: hubFeedChannel, logger });
  // One reader of the hub's feed for every subscription of this process, started by the first.
  const hub = createHubFeed({
    prisma,
    notifier,
    sources: [...nodes.agencies, hubSource],
    logger,
    ...(options.subscriptionPollMs ? { pollMs: options.subscriptionPollMs } : {}),
    ...(options.subscriptionBufferSize ? { bufferSize: options.subscriptionBufferSize } : {}),
  });
  const caps = createConnectionCaps({ prisma, logger, ...(options.maxConnectionsPerOfficer ? { maxPerOfficer: options.maxConnectionsPerOfficer } : {}) });
  const retention = createFeedRetention({
    databaseUrl,
    prisma,
    nodes,
    logger,
    agreement: options.agreement,
    ...(options.feedRetentionIntervalMs ? { intervalMs: options.feedRetentionIntervalMs } : {}),
  });
  const deadlines = createConsentDeadlineSchedule({
    databaseUrl,
    prisma,
    nodes,
    logger,
    ...(options.consentDeadlineIntervalMs ? { intervalMs: options.consentDeadlineIntervalMs } : {}),
  });
  let followers: { stop(): Promise<void> } | undefined;
  const feedParts: ServerPart[] = [
    caps,
    { name: 'hub feed notifier', stop: () => notifier.close() },
    { name: 'hub feed reader', stop: () => hub.stop() },
    {
      name: 'node feed followers',
      start() {
        if (options.followFeeds === false) return;
        followers = followNodeFeeds({
          nodes,
          prisma,
          databaseUrl,
          logger,
          ...(options.feedLeaseTtlMs ? { leaseTtlMs: options.feedLeaseTtlMs } : {}),
          ...(options.feedWaitMs ? { waitMs: options.feedWaitMs } : {}),
          ...(options.nodeTimeoutMs ? { nodeTimeoutMs: options.nodeTimeoutMs } : {}),
        });
      },
      stop: () => followers?.stop(),
    },
    retention,
    deadlines,
  ];
  return {
    name: 'real time',
    feed: { hub, cursorKey: feedCursorKey(options.auditDigestKey), caps, trustList: options.trustList, logger },
    start: () => startParts(feedParts),
    // The pruning and the followers first (no new events), then the reader, then its notifier, the caps last.
    stop: () => stopParts(feedParts),
  };
}
