import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Logger } from '../server/logger.ts';

/** Options of {@link createFeedLeases}. */
export interface FeedLeaseOptions {
  /** The hub database (as the application role): hub.feed_lease. */
  databaseUrl: string;
  /** The sources whose feeds this process would follow (the agencies' nodes). */
  sources: readonly string[];
  logger: Logger;
  /**
   * How long a lease lasts unrenewed. Default 10,000 ms. A process that died holds its sources this long at most;
   * another takes them over within `ttlMs + renewMs`.
   */
  ttlMs?: number;
  /** How often the holder renews and the others try to take an expired lease. Default a quarter of `ttlMs`. */
  renewMs?: number;
}

/** This process's share of the followers: which node feeds it may follow now. */
export interface FeedLeases {
  /** This process's id in hub.feed_lease. */
  readonly holder: string;
  /**
   * Resolves once this process holds the source's lease, with a signal that aborts when it no longer does (not
   * renewed in time, taken by another process, or stopped); with null when `signal` aborts first.
   */
  hold(source: string, signal: AbortSignal): Promise<AbortSignal | null>;
  /** Stops renewing and gives back the leases held, so that another process takes them at its next try. */
  stop(): Promise<void>;
}

interface Lease {
  /** Set while this process holds the lease. */
  term: AbortController | null;
  /** Fires when the lease runs out unrenewed, by this process's own clock. */
  fence: NodeJS.Timeout | undefined;
  waiters: Set<() => void>;
  /** The standby has said once that another process follows the source. */
  standing: boolean;
}

// One statement for every source: renew those this process holds, take those whose lease expired (or that none
// holds yet). The CTE reads the rows as they were, for the log of a takeover.
const takeOrRenew = `
  with previous as (select source, holder, expires_at from hub.feed_lease where source = any($1::text[]))
  insert into hub.feed_lease as lease (source, holder, taken_at, expires_at)
  select source, $2::uuid, now(), now() + make_interval(secs => $3::float8) from unnest($1::text[]) as source
  on conflict (source) do update
    set holder = excluded.holder, expires_at = excluded.expires_at,
        taken_at = case when lease.holder = excluded.holder then lease.taken_at else excluded.taken_at end
    where lease.holder = excluded.holder or lease.expires_at < now()
  returning lease.source, (select p.holder::text from previous p where p.source = lease.source) as previous_holder,
            (select p.expires_at from previous p where p.source = lease.source) as previous_expiry`;

/**
 * Leases on the node feeds in the hub database (hub.feed_lease, migration
 * 0018), so that one gateway process at a time follows each node: the node
 * serves each event once, with one audit entry, however many processes run.
 * The holder renews every `renewMs`; it counts its lease as lasting `ttlMs`
 * from when it sent the renewal (before the database's own expiry), and stops
 * following when that passes unrenewed: a holder cut off from the hub
 * database steps back before another can take over. The expiry is the
 * database's clock alone; a process killed outright holds nothing longer
 * than `ttlMs`. Overlap at a takeover cannot store an event twice anyway: the
 * hub feed stores under each source's position lock (hubFeedStore.ts).
 */
export function createFeedLeases({ databaseUrl, sources, logger, ttlMs = 10_000, renewMs = ttlMs / 4 }: FeedLeaseOptions): FeedLeases {
  const holder = randomUUID();
  // Its own connection, so that a busy Prisma pool cannot delay a renewal; a renewal that hangs (the database cut
  // off) fails after renewMs and the next one opens a fresh connection.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: renewMs, query_timeout: renewMs });
  pool.on('error', (error) => logger.warn({ err: error }, 'feed lease connection lost'));
  const leases = new Map<string, Lease>(sources.map((source) => [source, { term: null, fence: undefined, waiters: new Set(), standing: false }]));
  let stopped = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const release = (source: string, lease: Lease, why: string) => {
    if (!lease.term) return;
    clearTimeout(lease.fence);
    lease.term.abort();
    lease.term = null;
    if (!stopped) logger.warn({ agency: source, holder }, `no longer following the event feed: ${why}`);
  };

  const tick = async () => {
    const sentAt = performance.now();
    let rows: { source: string; previous_holder: string | null; previous_expiry: Date | null }[];
    try {
      rows = (await pool.query(takeOrRenew, [sources, holder, ttlMs / 1000])).rows;
    } catch (error) {
      // The fences end what this process can no longer vouch for; the next try may work.
      if (!failing) logger.warn({ err: error, holder }, 'cannot renew or take the feed leases; retrying');
      failing = true;
      return;
    }
    if (stopped) return;
    failing = false;
    const taken = new Map(rows.map((row) => [row.source, row]));
    for (const [source, lease] of leases) {
      const row = taken.get(source);
      if (!row) {
        release(source, lease, 'another gateway process holds its lease');
        if (!lease.standing) logger.info({ agency: source, holder }, 'another gateway process follows the event feed; standing by');
        lease.standing = true;
        continue;
      }
      lease.standing = false;
      if (!lease.term) {
        lease.term = new AbortController();
        const took = row.previous_holder && row.previous_holder !== holder;
        logger.info(
          { agency: source, holder, ...(took ? { previousHolder: row.previous_holder, previousExpiry: row.previous_expiry } : {}) },
          took ? 'took over the event feed: the lease of the gateway process that followed it had expired' : 'following the event feed',
        );
        for (const wake of lease.waiters) wake();
      }
      clearTimeout(lease.fence);
      lease.fence = setTimeout(() => release(source, lease, 'its lease was not renewed in time'), Math.max(0, sentAt + ttlMs - performance.now()));
      lease.fence.unref();
    }
  };
  const run = () => {
    if (stopped || inFlight) return;
    inFlight = tick().finally(() => (inFlight = undefined));
  };
  run();
  timer = setInterval(run, renewMs);
  timer.unref();

  return {
    holder,
    hold(source, signal) {
      const lease = leases.get(source);
      if (!lease) throw new Error(`no feed lease for ${source}`);
      return new Promise((resolve) => {
        const check = () => {
          if (signal.aborted || stopped) return done(null);
          if (lease.term) done(AbortSignal.any([lease.term.signal, signal]));
        };
        const done = (term: AbortSignal | null) => {
          lease.waiters.delete(check);
          signal.removeEventListener('abort', check);
          resolve(term);
        };
        lease.waiters.add(check);
        signal.addEventListener('abort', check, { once: true });
        check();
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      await inFlight;
      for (const [source, lease] of leases) {
        release(source, lease, 'stopping');
        for (const wake of lease.waiters) wake();
      }
      // Given back rather than left to expire: a standby takes over at its next try.
      await pool.query('delete from hub.feed_lease where holder = $1::uuid', [holder]).catch((error: unknown) => {
        logger.warn({ err: error, holder }, 'cannot give the feed leases back; they expire unrenewed');
      });
      await pool.end().catch(() => {});
    },
  };
}
