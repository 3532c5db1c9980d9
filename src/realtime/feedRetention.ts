import { serviceJournal } from '../audit/auditCollector.ts';
import { gatewayParty } from '../audit/auditEntry.ts';
import type { ExchangeAgreement } from '../consent/agreement.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { createRecurringJob } from '../database/recurringJob.ts';
import type { NodeClient } from '../gateway/nodeClient.ts';
import { nodeOperations } from '../gateway/nodeOperations.ts';
import { eventPruneScope, gatewayServiceSubject } from '../identity/gatewayCredential.ts';
import type { Logger } from '../server/logger.ts';
import type { ServerPart } from '../server/serverPart.ts';
import { feedPosition } from './feedFollower.ts';

/** The job that prunes the feeds, in graphile-worker's queue in the hub database. */
export const feedRetentionTask = 'prune_event_feeds';

/** Rows of the hub's feed deleted per transaction (each with its audit entry). */
const pruneBatch = 10_000;
const day = 24 * 3600 * 1000;

/** Options of {@link createFeedRetention}. */
export interface FeedRetentionOptions {
  /** The hub database, as the application role. */
  databaseUrl: string;
  prisma: HubPrismaClient;
  nodes: NodeClient;
  logger: Logger;
  /** Whose `events.retentionDays` is kept: the gateway's configured agreement. */
  agreement: ExchangeAgreement;
  /** Milliseconds between two prunings. Default 1 hour. */
  intervalMs?: number;
}

/** What one pruning of the hub's feed removed. */
export interface HubFeedPruning {
  events: number;
}

/**
 * Prunes the hub's feed of the events older than `before`, in batches, each
 * in one transaction with its entry in the gateway's log, remembering per
 * audience and source the last event pruned (hub.feed_pruned): a cursor
 * before it answers CURSOR_EXPIRED instead of resuming past a gap.
 */
export async function pruneHubFeed(prisma: HubPrismaClient, before: Date): Promise<HubFeedPruning> {
  const journal = serviceJournal(gatewayParty, gatewayServiceSubject);
  let events = 0;
  for (;;) {
    const pruned = await prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ audience: string; source: string; seq: bigint }[]>`
        delete from hub.feed_event where (source, seq) in (
          select source, seq from hub.feed_event where at < ${before} order by at limit ${pruneBatch})
        returning audience, source, seq`;
      if (rows.length === 0) return 0;
      await tx.$executeRaw`
        insert into hub.feed_pruned (audience, source, seq)
        select audience, source, max(seq) from jsonb_to_recordset(${JSON.stringify(rows.map((row) => ({ ...row, seq: Number(row.seq) })))}::jsonb)
               as pruned(audience varchar, source varchar, seq bigint)
         group by audience, source
        on conflict (audience, source) do update set seq = greatest(hub.feed_pruned.seq, excluded.seq), pruned_at = now()`;
      await journal(tx, [], { feedPruned: { events: rows.length, before: before.toISOString() } });
      return rows.length;
    });
    events += pruned;
    if (pruned < pruneBatch) return { events };
  }
}

/**
 * Keeps the event feeds to the exchange agreement's retention
 * (`events.retentionDays`), as a recurring job of the hub database: the
 * hub's own feed, and each node's, which the node prunes itself up to what
 * the gateway has taken (pruneEventFeed, with the gateway's service
 * credential for events:prune), forgetting the hits of ended watch entries
 * at the same time. A node that does not answer is pruned at the next run.
 */
export function createFeedRetention({ databaseUrl, prisma, nodes, logger, agreement, intervalMs = 3_600_000 }: FeedRetentionOptions): ServerPart {
  return createRecurringJob({
    name: 'event feed retention',
    task: feedRetentionTask,
    databaseUrl,
    intervalMs,
    logger,
    async run(job) {
      const before = new Date(Date.now() - agreement.events.retentionDays * day);
      const hub = await pruneHubFeed(prisma, before);
      const agencies = await Promise.allSettled(
        nodes.agencies.map(async (agency) => {
          const through = await feedPosition(prisma, agency);
          const { pruneEventFeed } = await nodes.serviceRequest<{ pruneEventFeed: { prunedThrough: number; events: number; watchHits: number } }>(
            agency,
            nodeOperations.pruneEventFeed,
            { through },
            { scope: eventPruneScope },
          );
          return { agency, ...pruneEventFeed };
        }),
      );
      logger.info(
        {
          job: job.id,
          hub,
          nodes: agencies.map((result, index) => (result.status === 'fulfilled' ? result.value : { agency: nodes.agencies[index], failed: String(result.reason) })),
        },
        'event feeds pruned',
      );
    },
  });
}
