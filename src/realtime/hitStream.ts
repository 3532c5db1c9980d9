import { decodeJwt } from 'jose';
import type { HitView } from '../domain/watchView.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { AgencyUnavailableError } from '../gateway/nodeClient.ts';
import type { FeedPositions, HitFeed } from './hitFeed.ts';
import { alertOperation } from '../gateway/nodeOperations.ts';

/** The channel migrations/0004 notifies on each event the gateway takes from a feed. */
export const hubFeedChannel = 'hub_feed_events';

export function encodeFeedCursor(positions: Readonly<FeedPositions>): string {
  return Buffer.from(JSON.stringify({ v: 1, p: positions })).toString('base64url');
}

export function decodeFeedCursor(cursor: string): FeedPositions {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v: number; p: FeedPositions };
    if (parsed.v !== 1 || typeof parsed.p !== 'object' || parsed.p === null) throw new Error('bad cursor');
    for (const [agency, seq] of Object.entries(parsed.p)) {
      if (!/^[A-Z]{2}$/.test(agency) || !Number.isSafeInteger(seq) || seq < 0) throw new Error('bad cursor');
    }
    return parsed.p;
  } catch {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: after is not a cursor of this subscription.', {
      issues: [{ path: 'after', message: 'is not a cursor of this subscription' }],
    });
  }
}

/** A hit as the gateway pushes it: from which agency, and the cursor to resume after it. */
export interface HitEventPayload extends HitView {
  cursor: string;
  agency: string;
}

/** Options of one subscriber's stream. */
export interface HitStreamOptions {
  /** The process's one reader of the feed (hitFeed.ts). */
  hits: HitFeed;
  signal: AbortSignal;
  /** What the owner's node is asked of each hit's alert (alertSelection.ts). */
  alertSelection: string;
}

/**
 * The hits of the subscriber's unit after `start`, in each feed's order: first
 * what was missed, then as they come (the process's one feed reader hands
 * them over; see hitFeed.ts). Every hit is delivered by its owner's node at
 * this moment, to this officer (deliverHit with the officer's own token and
 * the watch entry's purpose), so the consent in force now decides what it
 * carries, and the owner logs the delivery as a disclosure. A hit the owner
 * withholds (entry removed, consent gone) is passed over; a node that does
 * not answer keeps its position until it does. The stream ends when the
 * officer's token expires.
 */
export async function* hitStream(context: GatewayContext, start: FeedPositions, { hits, signal, alertSelection }: HitStreamOptions): AsyncGenerator<HitEventPayload> {
  const { officer, officerToken } = context;
  const expiresAt = (decodeJwt(officerToken).exp ?? 0) * 1000;
  const deliverHit = alertOperation('deliverHit', alertSelection);
  const subscription = hits.subscribe({ agency: officer.agency, unit: officer.unit }, start);
  try {
    while (!signal.aborted) {
      if (Date.now() >= expiresAt) throw hubError(ErrorCode.TOKEN_EXPIRED, 'The token has expired; sign in again and resume with the last cursor.');
      const rows = await subscription.take(signal);
      const waiting = new Set<string>();
      for (const row of rows) {
        if (signal.aborted) return;
        if (waiting.has(row.agency)) continue;
        const seq = Number(row.seq);
        let hit: HitView | null;
        try {
          const purpose = { code: row.purpose ?? context.purpose.code, caseReference: row.caseReference };
          ({ deliverHit: hit } = await context.nodes.request<{ deliverHit: HitView | null }>(row.agency, deliverHit, { seq }, { officerToken, purpose, membership: null, audit: context.audit, operationId: context.operationId }));
        } catch (error) {
          if (!(error instanceof AgencyUnavailableError)) throw error;
          waiting.add(row.agency);
          subscription.hold(row.agency);
          continue;
        }
        subscription.advance(row);
        if (hit) yield { ...hit, cursor: encodeFeedCursor(subscription.positions), agency: row.agency };
      }
    }
  } finally {
    subscription.close();
  }
}

/** An async iterable whose `return()` (the client unsubscribed, the socket closed) also stops a pending wait. */
export function abortable<T>(make: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const inner = make(controller.signal);
  const iterator: AsyncIterableIterator<T> = {
    next: () => inner.next(),
    return: (value?: unknown) => {
      controller.abort();
      return inner.return(value as never);
    },
    throw: (error?: unknown) => {
      controller.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
