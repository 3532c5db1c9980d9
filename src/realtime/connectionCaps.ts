import { randomUUID } from 'node:crypto';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import type { Officer } from '../identity/officer.ts';
import type { Logger } from '../server/logger.ts';
import type { ServerPart } from '../server/serverPart.ts';

/** How an officer's live connection reaches the gateway. */
export type LiveTransport = 'WEBSOCKET' | 'SSE';

/** Options of {@link createConnectionCaps}. */
export interface ConnectionCapsOptions {
  prisma: HubPrismaClient;
  logger: Logger;
  /** Connections (WebSockets and server-sent-event subscriptions) one officer may hold at once, across every gateway process on the hub database. Default 10. */
  maxPerOfficer?: number;
  /** How often this process says it still holds its connections. Default 10,000 ms; one not refreshed for three times as long no longer counts. */
  heartbeatMs?: number;
}

/** The per-officer cap on live connections, and the part that keeps this process's count alive. */
export interface ConnectionCaps extends ServerPart {
  readonly maxPerOfficer: number;
  /** Takes a place for one connection of the officer; resolves with its release, or null when the officer already holds as many as allowed. */
  acquire(officer: Pick<Officer, 'issuer' | 'sub'>, transport: LiveTransport): Promise<(() => Promise<void>) | null>;
}

/**
 * Counts each officer's live connections in the hub database
 * (hub.live_connection), so that the cap holds however many gateway processes
 * share it: a place is taken under a lock of the officer (a transaction-level
 * advisory lock, so two processes cannot both take the last place; one call
 * of hub.take_live_connection, migration 0017) and given
 * back when the connection ends. A process that dies without giving its
 * places back stops refreshing them, and after three heartbeats they no
 * longer count.
 */
export function createConnectionCaps({ prisma, logger, maxPerOfficer = 10, heartbeatMs = 10_000 }: ConnectionCapsOptions): ConnectionCaps {
  const gatewayId = randomUUID();
  const staleAfterMs = heartbeatMs * 3;
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'connection caps',
    maxPerOfficer,
    async acquire(officer, transport) {
      const key = `${officer.issuer} ${officer.sub}`;
      const id = randomUUID();
      // One round trip (hub migration 0017): lock the officer, forget the stale, count, take.
      const [row] = await prisma.$queryRaw<{ taken: boolean }[]>`
        select hub.take_live_connection(${key}, ${id}::uuid, ${transport}, ${gatewayId}::uuid, ${maxPerOfficer}::integer, ${staleAfterMs / 1000}::float8) as taken`;
      if (!row?.taken) return null;
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await prisma.liveConnection.deleteMany({ where: { id } }).catch((error: unknown) => {
          // Not given back: it stops counting once this process no longer refreshes it, or at the next heartbeat's sweep.
          logger.warn({ err: error }, 'a live connection could not be given back');
        });
      };
    },
    start() {
      timer = setInterval(() => {
        prisma.$executeRaw`update hub.live_connection set seen_at = now() where gateway_id = ${gatewayId}::uuid`.catch((error: unknown) => {
          logger.warn({ err: error }, 'cannot refresh this gateway’s live connections');
        });
      }, heartbeatMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await prisma.liveConnection.deleteMany({ where: { gatewayId } }).catch(() => {});
    },
  };
}
