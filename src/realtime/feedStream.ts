import { GraphQLError } from 'graphql';
import { decodeJwt } from 'jose';
import { AuditCollector } from '../audit/auditCollector.ts';
import { gatewayParty, type AuditRecordRef } from '../audit/auditEntry.ts';
import { auditUnavailable } from '../audit/auditErrors.ts';
import type { DeclaredPurpose } from '../consent/declaredPurpose.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { FeedEvent } from '../generated/hub/client.ts';
import { verifyOfficerToken } from '../identity/verifyOfficerToken.ts';
import { verifyPurposeNow, type GatewayContext } from '../gateway/context.ts';
import { AgencyUnavailableError } from '../gateway/nodeClient.ts';
import { resyncAdvice } from './eventOutbox.ts';
import { decodeFeedCursor, encodeFeedCursor } from './feedCursor.ts';
import { currentPositions, type FeedPositions } from './hubFeed.ts';
import { inSpan } from '../telemetry/tracer.ts';

/**
 * One subscription over the hub's feed: which events it receives and how
 * each is delivered. Every subscription is one of these (hits,
 * operationUpdates); a new kind of event needs its node's delivery field
 * and a spec, nothing else.
 */
export interface FeedSpec<Payload> {
  /** The subscription field: names its entries, and binds its cursors. */
  field: string;
  /** The event kinds it receives. */
  kinds: readonly string[];
  /** Whom the events it receives are addressed to (see `audience` in hubFeedStore.ts). */
  audiences: readonly string[];
  /** The sources they come from: agencies' nodes, or the hub itself. */
  sources: readonly string[];
  /** Where a subscription without a cursor starts: the feed's end now (default), or the first event kept. */
  startWithoutCursor?: 'now' | 'beginning';
  /** What the subscription's own entry names (an operation). */
  records?: AuditRecordRef[];
  /**
   * Delivers one event to the subscriber now: what the subscriber may have
   * of it, asked of its owner with the context as the caller (the
   * subscriber's own token and purpose, the membership verified for this
   * push, this push's entry as the witness). Null: nothing (the owner logged
   * why). Throws AgencyUnavailableError when the owner does not answer: that
   * source's events then wait, and the others go on.
   */
  deliver(context: GatewayContext, row: FeedEvent): Promise<Payload | null>;
  /** Names in the push's entry the records the payload releases, at their tier. */
  note(audit: AuditCollector, payload: Payload): void;
}

/** What a subscription yields: the payload, and the cursor to resume after it. */
export interface FeedPush<Payload> {
  cursor: string;
  source: string;
  seq: number;
  payload: Payload;
}

/** What a cursor is bound to: the subscription, whom it is for, and the purpose and case it works under. */
function cursorScope(spec: FeedSpec<unknown>, purpose: DeclaredPurpose): string {
  return JSON.stringify([spec.field, [...spec.audiences].sort(), purpose.code, purpose.caseReference]);
}

/** Per source, the last event pruned for the subscription's audiences (0: none). */
async function prunedThrough(context: GatewayContext, spec: FeedSpec<unknown>): Promise<FeedPositions> {
  const rows = await context.prisma.feedPruned.findMany({ where: { audience: { in: [...spec.audiences] }, source: { in: [...spec.sources] } } });
  const pruned: FeedPositions = Object.fromEntries(spec.sources.map((source) => [source, 0]));
  for (const row of rows) pruned[row.source] = Math.max(pruned[row.source]!, Number(row.seq));
  return pruned;
}

/**
 * The error a subscription ends with, carrying the cursor of the last event
 * it delivered (`extensions.cursor`): resuming from it misses nothing. A
 * deliberate error keeps its code; anything else is logged and masked.
 */
export function endedWith(context: Pick<GatewayContext, 'feed'>, error: unknown, cursor: string): GraphQLError {
  const resume = { cursor };
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string' && error.extensions.code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const { http: _http, ...extensions } = error.extensions;
    return hubError(error.extensions.code as ErrorCode, error.message, { ...extensions, ...resume });
  }
  context.feed.logger.error({ err: error }, 'subscription ended by an unexpected error');
  return hubError(ErrorCode.INTERNAL_SERVER_ERROR, 'Unexpected error; subscribe again with the cursor in extensions.cursor.', resume);
}

/**
 * Subscribes to the hub's feed for one spec, refusing at once what the same
 * request would be refused over HTTP (scopes are checked by the field,
 * membership by the context): a cursor the gateway did not issue for this
 * very subscription (VALIDATION_FAILED), a cursor older than what the feed
 * keeps (CURSOR_EXPIRED), a subscription over server-sent events beyond the
 * officer's connections (TOO_MANY_CONNECTIONS). Subscribing is a
 * consultation with its entry, before anything is delivered: no entry, no
 * stream.
 */
export async function subscribeToFeed<Payload>(context: GatewayContext, spec: FeedSpec<Payload>, after: string | null | undefined): Promise<AsyncIterableIterator<FeedPush<Payload>>> {
  const { feed } = context;
  const scope = cursorScope(spec, context.purpose);
  const start = await inSpan('feed.start', { 'hub.feed.field': spec.field, 'hub.feed.cursor': after ? 'given' : 'none' }, async (): Promise<FeedPositions> => {
    if (!after) return spec.startWithoutCursor === 'beginning' ? prunedThrough(context, spec) : currentPositions(context.prisma, spec.sources);
    const given = decodeFeedCursor(feed.cursorKey, scope, after);
    const pruned = await prunedThrough(context, spec);
    if (spec.sources.some((source) => (given[source] ?? 0) < pruned[source]!)) {
      throw hubError(ErrorCode.CURSOR_EXPIRED, `Events after this cursor are no longer kept (the exchange agreement keeps them for a limited time). ${resyncAdvice}`);
    }
    return given;
  });
  let release: (() => Promise<void>) | null = null;
  if (context.transport === 'http') {
    release = await inSpan('feed.connectionCap', {}, () => feed.caps.acquire(context.officer, 'SSE'));
    if (!release) {
      throw hubError(ErrorCode.TOO_MANY_CONNECTIONS, `You already hold ${feed.caps.maxPerOfficer} connections (WebSockets and subscriptions over server-sent events); close one first.`);
    }
  }
  const { audit } = context;
  audit.note(...(spec.records ?? []));
  try {
    await context.auditWriter.append(audit.entry('CONSULTATION', 'OK', null, { subscription: spec.field, from: start }));
    audit.written = true;
  } catch {
    await release?.();
    throw auditUnavailable();
  }
  return abortable((signal) => feedStream(context, spec, start, { signal, scope, release }));
}

/**
 * Makes the subscription's context the context of one push, as a request
 * has its own: the subscriber verified again (token, its key, what the
 * purpose allows now: a member removed is refused), and an entry of its own,
 * which the resolvers of the push note what they release in and
 * useFeedPushLog writes once the push is resolved. Pushes of one
 * subscription are resolved one after the other, so they never share it.
 */
async function beginPush(context: GatewayContext, spec: FeedSpec<unknown>, previous: string): Promise<AuditCollector> {
  const officer = await verifyOfficerToken(context.officerToken, context.feed.trustList);
  Object.assign(context, await verifyPurposeNow(context.prisma, officer, context.purpose));
  const audit = new AuditCollector(gatewayParty, context.officer, context.purpose, context.audit.clientAddress);
  audit.operation = context.audit.operation;
  audit.traceId = context.audit.traceId;
  // A push is caused by the subscription: its entry, and the owner's disclosure of it, carry the subscription's operation id.
  audit.operationId = context.operationId;
  context.audit = audit;
  context.feedPush = { field: spec.field, previous };
  return audit;
}

/**
 * The events of the subscription after `start`, in each source's order:
 * first what was missed, then as they come (the process's one feed reader
 * hands them over; see hubFeed.ts). Every push is a request: the subscriber
 * is verified again (token, key, membership), the owner's node decides what
 * it carries with the consent in force then and for the subscriber's own
 * purpose and roles, and logs its disclosure; the gateway's entry of the push,
 * naming the same purpose and case, is written once the push is resolved and
 * before it leaves (useFeedPushLog.ts). Nothing is passed over that was not
 * delivered and logged: a push the log cannot take, a refusal of the owner or
 * of the subscriber's own verification ends the stream with an error
 * carrying the cursor of the last event delivered. An owner that does not
 * answer holds back its own events only, until it does. The stream ends at
 * the token's expiry, on either transport.
 */
async function* feedStream<Payload>(
  context: GatewayContext,
  spec: FeedSpec<Payload>,
  start: FeedPositions,
  { signal, scope, release }: { signal: AbortSignal; scope: string; release: (() => Promise<void>) | null },
): AsyncGenerator<FeedPush<Payload>> {
  const { feed } = context;
  const subscription = feed.hub.subscribe({ audiences: spec.audiences, kinds: spec.kinds, sources: spec.sources, purpose: context.purpose }, start);
  let delivered = encodeFeedCursor(feed.cursorKey, scope, subscription.positions);
  const expiresAt = (decodeJwt(context.officerToken).exp ?? 0) * 1000;
  // One signal for the subscription's life: made at every wait instead, a thousand idle subscriptions made two signals and a timer each per poll.
  const untilExpiry = AbortSignal.any([signal, AbortSignal.timeout(Math.max(expiresAt - Date.now(), 0) + 1)]);
  const verified = async () => {
    try {
      return await beginPush(context, spec, delivered);
    } catch (error) {
      throw endedWith(context, error, delivered);
    }
  };
  try {
    while (!signal.aborted) {
      // Between pushes too: an idle subscription ends at the token's expiry or a withdrawn key, at the latest after a wait.
      await verified();
      const rows = await subscription.take(untilExpiry);
      if (subscription.stopped()) return;
      const waiting = new Set<string>();
      for (const row of rows) {
        if (signal.aborted) return;
        if (waiting.has(row.source)) continue;
        const audit = await verified();
        let payload: Payload | null;
        try {
          payload = await spec.deliver(context, row);
        } catch (error) {
          if (!(error instanceof AgencyUnavailableError)) throw endedWith(context, error, delivered);
          waiting.add(row.source);
          subscription.hold(row.source, error);
          continue;
        }
        // Withheld by its owner (who logged why): nothing leaves, and it is passed.
        subscription.advance(row);
        if (payload === null) continue;
        spec.note(audit, payload);
        audit.details = { subscription: spec.field, delivery: { source: row.source, seq: Number(row.seq), kind: row.kind } };
        const cursor = encodeFeedCursor(feed.cursorKey, scope, subscription.positions);
        yield { cursor, source: row.source, seq: Number(row.seq), payload };
        // Resumed only once the push was resolved and its entry written: it is delivered.
        delivered = cursor;
      }
    }
  } finally {
    subscription.close();
    await release?.();
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
