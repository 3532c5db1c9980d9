import { createHash } from 'node:crypto';
import type { CompactJWSHeaderParameters, FlattenedJWSInput, JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';

/** A token that verified, and what its verification depended on. */
export interface VerifiedToken<Value> {
  /** What the verification found (claims, the officer): shared by every request that carries the token, so frozen. */
  value: Value;
  /** The key set that resolved the key its signature verified with: asked again on every use. */
  keys: JWTVerifyGetKey;
  header: CompactJWSHeaderParameters;
  /** The key its signature verified with, as `keys` resolved it. */
  key: unknown;
  /** Until when jwtVerify would still accept the token, in ms since the epoch. */
  acceptedUntilMs: number;
}

/** Options for {@link createVerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions<Owner, Value> {
  /** Most tokens remembered per owner (trust list, verifier); the least recently used goes first. Default 10,000. */
  max?: number;
  /** Whether what vouched for a remembered token beyond its key still does (its trust list entry). Default: always. */
  stillVouched?: (value: Value, owner: Owner) => boolean;
}

/** Remembers verified tokens of one kind, per owner: a trust list or a verifier loaded anew starts with nothing verified. */
export interface VerifiedTokenCache<Owner extends object, Value> {
  /**
   * The value of `token` as remembered, if its key set still resolves the
   * same key and jwtVerify would still accept it; else `verifyNow()`'s,
   * remembered if it succeeds. `scope` separates what one owner verifies
   * in different ways (a node's credentials of two types).
   */
  verify(owner: Owner, token: string, verifyNow: () => Promise<VerifiedToken<Value>>, scope?: string): Promise<Value>;
}

/**
 * The same token comes with every request of a session (an officer's token;
 * the gateway's credential, presented for 30 s), and an ES256 verification is
 * the largest CPU cost of a request that reads little. A token that verified
 * is remembered by the SHA-256 of its bytes until jwtVerify would refuse it as
 * expired, and only while what vouched for it still does: the same key from
 * the same key set (asked again on every use: a lookup for an inline set; a
 * remote one refreshes on its own schedule), so a withdrawn key stops its
 * tokens as soon as the hub sees the withdrawal, as it would without the cache.
 */
export function createVerifiedTokenCache<Owner extends object, Value>({
  max = 10_000,
  stillVouched = () => true,
}: VerifiedTokenCacheOptions<Owner, Value> = {}): VerifiedTokenCache<Owner, Value> {
  const caches = new WeakMap<Owner, LRUCache<string, VerifiedToken<Value>>>();
  const vouched = async (known: VerifiedToken<Value>, token: string, owner: Owner): Promise<boolean> => {
    if (Date.now() >= known.acceptedUntilMs || !stillVouched(known.value, owner)) return false;
    try {
      return (await known.keys(known.header, flattened(token))) === known.key;
    } catch {
      return false;
    }
  };
  return {
    async verify(owner, token, verifyNow, scope = '') {
      let cache = caches.get(owner);
      if (!cache) caches.set(owner, (cache = new LRUCache({ max })));
      const digest = `${scope}\n${createHash('sha256').update(token).digest('base64url')}`;
      const known = cache.get(digest);
      if (known && (await vouched(known, token, owner))) return known.value;
      if (known) cache.delete(digest);
      const verified = await verifyNow();
      cache.set(digest, verified);
      return verified.value;
    },
  };
}

function flattened(token: string): FlattenedJWSInput {
  const [protectedHeader, payload, signature] = token.split('.') as [string, string, string];
  return { protected: protectedHeader, payload, signature };
}
