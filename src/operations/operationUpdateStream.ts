import pg from 'pg';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { OperationUpdate } from '../generated/hub/client.ts';
import type { Officer } from '../identity/officer.ts';
import type { Logger } from '../server/logger.ts';
import type { ServerPart } from '../server/serverPart.ts';
import { findMembership } from './membership.ts';
import { operationUpdateChannel } from './operationRecords.ts';

/** Options for {@link createOperationUpdateSignal}. */
export interface OperationUpdateSignalOptions {
  /** The hub database (as the application role). */
  databaseUrl: string;
  logger: Logger;
}

/**
 * Wakes the subscribers of an operation when one of its updates commits
 * (PostgreSQL LISTEN/NOTIFY on one connection per gateway). Only a wake-up:
 * the updates themselves are always read from the database, and subscribers
 * poll as well, so a lost connection or notification delays, never loses.
 */
export interface OperationUpdateSignal extends ServerPart {
  /** Resolves when the operation has news, or after `timeoutMs`: true; false once the gateway stops. */
  wait(operationId: string, timeoutMs: number): Promise<boolean>;
  start(): Promise<void>;
  /** Wakes every waiting subscriber, then closes the connection. */
  stop(): Promise<void>;
}

export function createOperationUpdateSignal({ databaseUrl, logger }: OperationUpdateSignalOptions): OperationUpdateSignal {
  const waiters = new Map<string, Set<() => void>>();
  let client: pg.Client | undefined;
  let stopped = false;
  const wake = (operationId: string) => {
    const waiting = waiters.get(operationId);
    waiters.delete(operationId);
    for (const resolve of waiting ?? []) resolve();
  };
  return {
    name: 'operation update signal',
    wait(operationId, timeoutMs) {
      if (stopped) return Promise.resolve(false);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.get(operationId)?.delete(done);
          resolve(!stopped);
        };
        const timer = setTimeout(done, timeoutMs);
        const waiting = waiters.get(operationId) ?? new Set();
        waiting.add(done);
        waiters.set(operationId, waiting);
      });
    },
    async start() {
      client = new pg.Client({ connectionString: databaseUrl });
      client.on('notification', (message) => message.payload && wake(message.payload));
      // Subscribers keep polling: losing the listener costs latency only.
      client.on('error', (error) => logger.warn({ err: error }, 'operation update listener lost; subscribers poll'));
      await client.connect();
      await client.query(`listen ${operationUpdateChannel}`);
    },
    async stop() {
      stopped = true;
      for (const operationId of [...waiters.keys()]) wake(operationId);
      await client?.end().catch(() => {});
    },
  };
}

/** The cursor of an update: its number in the operation's feed. */
export const updateCursor = (update: Pick<OperationUpdate, 'seq'>) => String(update.seq);

export function parseUpdateCursor(after: string | null | undefined): number {
  if (after == null) return 0;
  if (!/^\d{1,9}$/.test(after)) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: after is not a cursor of operationUpdates.', {
      issues: [{ path: 'after', message: 'is not a cursor of operationUpdates' }],
    });
  }
  return Number(after);
}

/** Options for {@link streamOperationUpdates}. */
export interface OperationUpdateStreamOptions {
  prisma: HubPrismaClient;
  signal: OperationUpdateSignal;
  officer: Officer;
  operationId: string;
  /** The cursor of the last update the client has: the stream starts after it. */
  after: number;
  /** How long to wait for a notification before reading again. Default 1,000 ms. */
  pollMs?: number;
}

/**
 * The operation's updates after a cursor, each once and in order (the feed is
 * numbered 1, 2, 3, … under the operation's row lock, so it has no gaps and
 * commits in order), then each new one as it commits. Membership is checked
 * again before every delivery: a member removed, or whose period ends,
 * receives nothing more, and the subscription ends with FORBIDDEN.
 */
export async function* streamOperationUpdates({
  prisma,
  signal,
  officer,
  operationId,
  after,
  pollMs = 1_000,
}: OperationUpdateStreamOptions): AsyncGenerator<OperationUpdate> {
  let cursor = after;
  for (;;) {
    const updates = await prisma.operationUpdate.findMany({ where: { operationId, seq: { gt: cursor } }, orderBy: { seq: 'asc' }, take: 100 });
    for (const update of updates) {
      if (!(await findMembership(prisma, officer, { id: operationId }))) {
        throw hubError(ErrorCode.FORBIDDEN, 'You are no longer a member of this joint operation.');
      }
      cursor = update.seq;
      yield update;
    }
    if (updates.length === 0 && !(await signal.wait(operationId, pollMs))) return;
  }
}
