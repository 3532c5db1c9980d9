import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type CompactJWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { ErrorCode, hubError } from '../errors.ts';
import type { Officer } from './officer.ts';
import { roleSchema } from './roles.ts';
import type { TrustedIssuer, TrustList } from './trustList.ts';

/** Clock skew tolerated between the identity providers and the hub. */
const clockToleranceSeconds = 30;

/** `typ` values of a plain or access-token JWT (RFC 7519, RFC 9068), accepted from an issuer that does not pin one. */
const untypedTokenTypes = new Set(['jwt', 'at+jwt', 'application/at+jwt']);

const officerClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  agency: z.string().regex(/^[A-Z]{2}$/),
  unit: z.string().min(1).max(40),
  roles: z.array(roleSchema).min(1),
  name: z.string().max(200).optional(),
});

/**
 * Longest token accepted, in bytes: 8 KiB. Officer tokens of an identity
 * provider are well under 2 KiB; a larger one costs every hop (the gateway
 * forwards it to each node) and is refused at the first, with its own code.
 */
export const maxTokenBytes = 8 * 1024;

/** Refuses a token over {@link maxTokenBytes} before anything decodes it. */
export function assertTokenSize(token: string, what = 'token'): void {
  if (Buffer.byteLength(token) > maxTokenBytes) {
    throw hubError(ErrorCode.TOKEN_TOO_LARGE, `The ${what} is larger than ${maxTokenBytes / 1024} KiB, the most the hub accepts.`);
  }
}

/** Maps jose's error codes to the hub's stable codes and plain messages. */
export function tokenError(error: unknown, what = 'token'): Error {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return hubError(ErrorCode.TOKEN_EXPIRED, `The ${what} has expired; sign in again.`);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return hubError(ErrorCode.TOKEN_ALGORITHM_REJECTED, `The ${what} is signed with an algorithm the hub does not accept.`);
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return hubError(ErrorCode.TOKEN_KEY_UNKNOWN, `The ${what} names a signing key its issuer does not publish.`);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: string }).claim;
      if (claim === 'aud') {
        return hubError(ErrorCode.TOKEN_AUDIENCE_INVALID, `The ${what} was not issued for this service (audience).`);
      }
      if (claim === 'iss') {
        return hubError(ErrorCode.TOKEN_ISSUER_UNTRUSTED, `The ${what} issuer is not trusted.`);
      }
      return hubError(ErrorCode.TOKEN_INVALID, `The ${what} is missing or has an invalid "${claim}" claim.`);
    }
    default:
      return hubError(ErrorCode.TOKEN_INVALID, `The ${what} is malformed or its signature does not verify.`);
  }
}

/** Most verified officer tokens remembered per trust list (an officer's token is sent with every request of a shift). */
export const verifiedTokenCacheSize = 10_000;

/** A token that verified, and what its verification depended on. */
interface VerifiedToken {
  officer: Officer;
  /** The trust list entry that vouched for it: another entry (or none) for its issuer means verifying again. */
  issuer: TrustedIssuer;
  header: CompactJWSHeaderParameters;
  /** The key its signature verified with, as the issuer's key set resolved it. */
  key: unknown;
  /** Until when jwtVerify would still accept it (exp, and iat + the longest lifetime, plus the clock tolerance), in ms. */
  acceptedUntilMs: number;
}

/** Per trust list: one loaded anew (keys added or withdrawn, an issuer removed) starts with nothing verified. */
const verifiedTokens = new WeakMap<TrustList, LRUCache<string, VerifiedToken>>();

/**
 * Verifies an officer's JWT against the trust list and returns who the officer
 * is. The agency comes from the trust list entry of the issuer, and a token
 * claiming another agency is refused: an identity provider speaks only for
 * its own agency.
 *
 * The same token comes with every request of an officer's session (and to
 * every node the gateway asks), so a token that verified is remembered, by
 * the SHA-256 of its bytes, until jwtVerify would refuse it as expired, and
 * only while what vouched for it still does: the same trust list entry of its
 * issuer, and the same key from the issuer's key set. The key set is asked
 * again on every use (a lookup for an inline set; a remote one refreshes on
 * its own schedule), so a key the identity provider withdraws stops its
 * tokens as soon as the hub sees the withdrawal, as it would without the cache.
 */
export async function verifyOfficerToken(token: string, trustList: TrustList): Promise<Officer> {
  assertTokenSize(token);
  let cache = verifiedTokens.get(trustList);
  if (!cache) verifiedTokens.set(trustList, (cache = new LRUCache({ max: verifiedTokenCacheSize })));
  const digest = createHash('sha256').update(token).digest('base64url');
  const known = cache.get(digest);
  if (known && (await stillVouchedFor(known, token, trustList))) return known.officer;
  if (known) cache.delete(digest);
  const verified = await verifyAgainstTrustList(token, trustList);
  cache.set(digest, verified);
  return verified.officer;
}

async function stillVouchedFor(known: VerifiedToken, token: string, trustList: TrustList): Promise<boolean> {
  if (Date.now() >= known.acceptedUntilMs) return false;
  if (trustList.issuers.get(known.issuer.issuer) !== known.issuer) return false;
  try {
    return (await known.issuer.keys(known.header, flattened(token))) === known.key;
  } catch {
    return false;
  }
}

function flattened(token: string): FlattenedJWSInput {
  const [protectedHeader, payload, signature] = token.split('.') as [string, string, string];
  return { protected: protectedHeader, payload, signature };
}

async function verifyAgainstTrustList(token: string, trustList: TrustList): Promise<VerifiedToken> {
  let alg: string | undefined;
  let typ: string | undefined;
  let iss: string | undefined;
  try {
    ({ alg, typ } = decodeProtectedHeader(token));
    iss = decodeJwt(token).iss;
  } catch {
    throw hubError(ErrorCode.TOKEN_INVALID, 'The token is malformed.');
  }
  // Checked before any key lookup so that `none` and HMAC-with-a-public-key
  // tokens never reach signature verification.
  if (!alg || !trustList.algorithms.includes(alg)) {
    throw hubError(ErrorCode.TOKEN_ALGORITHM_REJECTED, `Tokens signed with "${alg ?? 'no algorithm'}" are not accepted.`);
  }
  const trusted = iss === undefined ? undefined : trustList.issuers.get(iss);
  if (!trusted) {
    throw hubError(ErrorCode.TOKEN_ISSUER_UNTRUSTED, 'The token issuer is not on the trust list.');
  }
  // RFC 8725 §3.11: a token typed as something else (an ID token, a logout or DPoP proof) is not an officer token.
  if (!trusted.tokenType && typ !== undefined && !untypedTokenTypes.has(typ.toLowerCase())) {
    throw hubError(ErrorCode.TOKEN_INVALID, `A token of type "${String(typ).slice(0, 40)}" is not an officer access token.`);
  }
  let verified: Awaited<ReturnType<typeof jwtVerify>> & { key: unknown };
  try {
    verified = await jwtVerify(token, trusted.keys, {
      issuer: trusted.issuer,
      audience: trustList.audience,
      algorithms: trustList.algorithms,
      requiredClaims: ['exp', 'iat', 'iss', 'aud', 'sub'],
      // Also refuses an `iat` in the future beyond the tolerance.
      maxTokenAge: trustList.maxTokenLifetimeSeconds,
      clockTolerance: clockToleranceSeconds,
      ...(trusted.tokenType ? { typ: trusted.tokenType } : {}),
    });
  } catch (error) {
    throw tokenError(error);
  }
  const payload: Record<string, unknown> = verified.payload;
  const lifetime = Number(payload.exp) - Number(payload.iat);
  if (lifetime > trustList.maxTokenLifetimeSeconds) {
    throw hubError(
      ErrorCode.TOKEN_INVALID,
      `The token is valid for ${Math.round(lifetime / 60)} minutes; the hub accepts tokens valid for at most ${Math.round(trustList.maxTokenLifetimeSeconds / 60)} minutes.`,
    );
  }
  const claims = officerClaimsSchema.safeParse(payload);
  if (!claims.success) {
    const paths = claims.error.issues.map((issue) => issue.path.join('.') || 'token').join(', ');
    throw hubError(ErrorCode.TOKEN_INVALID, `The token lacks valid officer claims (${paths}).`);
  }
  if (claims.data.agency !== trusted.agency) {
    throw hubError(ErrorCode.TOKEN_INVALID, `The issuer of agency ${trusted.agency} cannot vouch for agency ${claims.data.agency}.`);
  }
  const officer: Officer = {
    sub: claims.data.sub,
    agency: trusted.agency,
    unit: claims.data.unit,
    roles: Object.freeze(claims.data.roles) as Officer['roles'],
    issuer: trusted.issuer,
    ...(claims.data.name ? { name: claims.data.name } : {}),
  };
  // jwtVerify accepts a token while now < exp + tolerance and now - iat - tolerance <= the longest lifetime.
  const acceptedUntil = Math.min(Number(payload.exp), Number(payload.iat) + trustList.maxTokenLifetimeSeconds) + clockToleranceSeconds;
  // Shared by every request that carries the token: nobody may change it.
  return { officer: Object.freeze(officer), issuer: trusted, header: verified.protectedHeader, key: verified.key, acceptedUntilMs: acceptedUntil * 1000 };
}
