import pg from 'pg';
import type { Logger } from '../server/logger.ts';

/**
 * Wakes waiters when PostgreSQL announces a commit on a channel. Only a
 * hint that something may have changed: a waiter also wakes at its timeout
 * and reads again, so nothing depends on a notification arriving (one sent
 * while the connection was down is simply lost).
 */
export interface EventNotifier {
  /** Counts the notifications so far: read it before reading the data, and wait with it. */
  generation(): number;
  /**
   * Resolves at the first notification after `since` (at once if one already
   * came), at the timeout, or when the signal aborts, whichever comes first.
   */
  wait(timeoutMs: number, signal?: AbortSignal, since?: number): Promise<void>;
  close(): Promise<void>;
}

/** Options for {@link listenForNotifications}. */
export interface ListenOptions {
  databaseUrl: string;
  channel: string;
  logger: Logger;
  /** Pause before reconnecting a lost connection. Default 1,000 ms. */
  reconnectDelayMs?: number;
}

/**
 * One dedicated connection outside Prisma's pool (a pooled connection would
 * be handed to other work and lose its LISTEN), reconnected when it drops.
 */
export function listenForNotifications({ databaseUrl, channel, logger, reconnectDelayMs = 1_000 }: ListenOptions): EventNotifier {
  const waiters = new Set<() => void>();
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let generation = 0;

  const wakeAll = () => {
    generation += 1;
    for (const wake of [...waiters]) wake();
  };

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on('notification', wakeAll);
    next.on('error', (error) => {
      logger.warn({ err: error, channel }, 'notification connection lost; reconnecting (readers keep polling)');
      if (client === next) client = null;
      next.end().catch(() => {});
      schedule();
    });
    try {
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      // Whatever committed while no connection listened is found by the next read.
      wakeAll();
    } catch (error) {
      logger.warn({ err: error, channel }, 'cannot listen for notifications yet; retrying (readers keep polling)');
      next.end().catch(() => {});
      schedule();
    }
  };
  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, reconnectDelayMs);
    retry.unref();
  };
  void connect();

  return {
    generation: () => generation,
    wait(timeoutMs, signal, since = generation) {
      // A closed notifier wakes everyone at once: the service is stopping.
      if (closed || signal?.aborted || generation > since) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      wakeAll();
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
