import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { z } from 'zod';
import { ErrorCode, hubError } from '../errors.ts';
import type { Officer } from './officer.ts';
import { roleSchema } from './roles.ts';
import type { TrustedIssuer, TrustList } from './trustList.ts';
import { createVerifiedTokenCache, type VerifiedToken } from './verifiedTokenCache.ts';

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

/** What an officer token's verification found: the officer, and the trust list entry that vouched for them. */
interface VerifiedOfficer {
  officer: Officer;
  /** Another entry (or none) for the issuer in the trust list means verifying again. */
  issuer: TrustedIssuer;
}

/** Per trust list: one loaded anew (keys added or withdrawn, an issuer removed) starts with nothing verified. */
const verifiedOfficers = createVerifiedTokenCache<TrustList, VerifiedOfficer>({
  max: verifiedTokenCacheSize,
  stillVouched: ({ issuer }, trustList) => trustList.issuers.get(issuer.issuer) === issuer,
});

/**
 * Verifies an officer's JWT against the trust list and returns who the officer
 * is. The agency comes from the trust list entry of the issuer, and a token
 * claiming another agency is refused: an identity provider speaks only for
 * its own agency.
 *
 * The same token comes with every request of an officer's session (and to
 * every node the gateway asks), so a token that verified is remembered (see
 * verifiedTokenCache.ts) while the same trust list entry of its issuer, and
 * the same key from the issuer's key set, still vouch for it.
 */
export async function verifyOfficerToken(token: string, trustList: TrustList): Promise<Officer> {
  assertTokenSize(token);
  const { officer } = await verifiedOfficers.verify(trustList, token, () => verifyAgainstTrustList(token, trustList));
  return officer;
}

async function verifyAgainstTrustList(token: string, trustList: TrustList): Promise<VerifiedToken<VerifiedOfficer>> {
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
  return {
    value: { officer: Object.freeze(officer), issuer: trusted },
    keys: trusted.keys,
    header: verified.protectedHeader,
    key: verified.key,
    acceptedUntilMs: acceptedUntil * 1000,
  };
}
