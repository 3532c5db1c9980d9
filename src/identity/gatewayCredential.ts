import { createHash } from 'node:crypto';
import { SignJWT, jwtVerify, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { ErrorCode, hubError } from '../errors.ts';
import { assertTokenSize, tokenError } from './verifyOfficerToken.ts';

/** Lifetime of a gateway credential: one node call, with room for clock skew. */
const credentialLifetimeSeconds = 60;

/** Audience of the credential the gateway presents to an agency node. */
export const nodeAudience = (agency: string) => `urn:border-hub:node:${agency}`;

/** Binds a credential to the officer token it travels with. */
function tokenDigest(officerToken: string): string {
  return createHash('sha256').update(officerToken).digest('base64url');
}

export interface GatewaySigner {
  issuer: string;
  kid: string;
  alg: string;
  key: CryptoKey;
}

/**
 * Mints the short-lived credential that proves to a node that the call comes
 * from the gateway. It names the node it is for and the officer token it
 * accompanies, so neither can be replayed against another node or paired
 * with another officer's token.
 */
/**
 * The gateway's word that the officer is, now, a member of the joint
 * operation whose code they declared as case reference (purpose
 * JOINT_OPERATION): a node cannot see the hub's membership itself.
 */
export interface VerifiedMembership {
  /** The operation's code: the case reference declared with the purpose JOINT_OPERATION. */
  operation: string;
  /** The member's role in the operation (LIAISON, TEAM_LEAD, MEMBER, ANALYST). */
  role: string;
}

export async function mintGatewayCredential(
  signer: GatewaySigner,
  agency: string,
  officerToken: string,
  membership: VerifiedMembership | null = null,
): Promise<string> {
  return new SignJWT({ otk: tokenDigest(officerToken), ...(membership ? { jop: membership } : {}) })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'gateway+jwt' })
    .setIssuer(signer.issuer)
    .setSubject('gateway')
    .setAudience(nodeAudience(agency))
    .setIssuedAt()
    .setExpirationTime(`${credentialLifetimeSeconds}s`)
    .sign(signer.key);
}

export interface GatewayVerifier {
  issuer: string;
  keys: JWTVerifyGetKey;
  algorithms: string[];
}

export async function verifyGatewayCredential(
  credential: string | undefined,
  officerToken: string,
  agency: string,
  verifier: GatewayVerifier,
): Promise<{ membership: VerifiedMembership | null }> {
  if (!credential) {
    throw hubError(ErrorCode.GATEWAY_CREDENTIAL_INVALID, 'Agency nodes only accept calls made through the hub gateway.');
  }
  try {
    assertTokenSize(credential, 'gateway credential');
  } catch (error) {
    throw hubError(ErrorCode.GATEWAY_CREDENTIAL_INVALID, (error as Error).message);
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(credential, verifier.keys, {
      issuer: verifier.issuer,
      audience: nodeAudience(agency),
      algorithms: verifier.algorithms,
      requiredClaims: ['exp', 'iss', 'aud'],
      typ: 'gateway+jwt',
    }));
  } catch (error) {
    const mapped = tokenError(error, 'gateway credential');
    throw hubError(ErrorCode.GATEWAY_CREDENTIAL_INVALID, mapped.message);
  }
  if (payload.otk !== tokenDigest(officerToken)) {
    throw hubError(ErrorCode.GATEWAY_CREDENTIAL_INVALID, 'The gateway credential was issued for another officer token.');
  }
  const jop = payload.jop as Partial<VerifiedMembership> | undefined;
  const membership = typeof jop?.operation === 'string' && typeof jop.role === 'string' ? { operation: jop.operation, role: jop.role } : null;
  return { membership };
}
