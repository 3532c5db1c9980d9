import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { DigestKey } from '../audit/termDigests.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { FeedPositions } from './hubFeed.ts';

/** The key the gateway signs its subscription cursors with. */
export interface FeedCursorKey {
  readonly secret: Buffer;
}

/**
 * Derives the cursor key from the gateway's own secret (its audit digest
 * key, which every gateway process of the hub holds): a cursor signed by one
 * process is accepted by the others, and by nobody else's. Derived with its
 * own label, so the two uses never share a key.
 */
export function feedCursorKey(secret: DigestKey): FeedCursorKey {
  return { secret: Buffer.from(hkdfSync('sha256', secret.key, Buffer.alloc(0), 'border-exchange-hub subscription cursor', 32)) };
}

const mac = (key: FeedCursorKey, payload: string) => createHmac('sha256', key.secret).update(payload).digest();

/**
 * A cursor: where a subscriber stands in each source of the feed, for one
 * subscription (its field, audiences, and the purpose and case it works
 * under, so that a cursor of one cannot skip another's events), signed.
 */
export function encodeFeedCursor(key: FeedCursorKey, scope: string, positions: Readonly<FeedPositions>): string {
  const payload = Buffer.from(JSON.stringify({ v: 2, s: scope, p: positions })).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

const notOurs = () =>
  hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: after is not a cursor this subscription gave you.', {
    issues: [{ path: 'after', message: 'is not a cursor this subscription gave you' }],
  });

/**
 * The positions of a cursor this gateway issued for this very subscription;
 * anything else (altered, forged, of another subscription, purpose or case)
 * is refused, so nobody can place a subscription beyond events it has not
 * received.
 */
export function decodeFeedCursor(key: FeedCursorKey, scope: string, cursor: string): FeedPositions {
  const [payload, signature, ...rest] = cursor.split('.');
  if (!payload || !signature || rest.length) throw notOurs();
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw notOurs();
  const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { v?: unknown; s?: unknown; p?: unknown };
  if (parsed.v !== 2 || parsed.s !== scope || typeof parsed.p !== 'object' || parsed.p === null) throw notOurs();
  return parsed.p as FeedPositions;
}
