import { createHash } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, jwtVerify, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { ErrorCode, hubError } from '../errors.ts';
import { assertTokenSize, tokenError } from './verifyOfficerToken.ts';
import { createVerifiedTokenCache } from './verifiedTokenCache.ts';

/** Lifetime of a gateway credential: one node call, with room for clock skew. */
export const credentialLifetimeSeconds = 60;

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
 * The gateway's word that the officer is, now, a member of the joint
 * operation whose code they declared as case reference (purpose
 * JOINT_OPERATION): a node cannot see the hub's membership itself.
 */
export interface VerifiedMembership {
  /** The operation's code: the case reference declared with the purpose JOINT_OPERATION. */
  operation: string;
  /** The member's role in the operation (LIAISON, TEAM_LEAD, MEMBER, ANALYST). */
  role: string;
  /**
   * False once the operation is closed or cancelled: its members still read its record, but its
   * releases have ended, and the owner's node ends them itself on hearing it (operationReleaseRecords.ts).
   */
  open: boolean;
  /**
   * On a call that releases records to the operation only: the digest ({@link linkedAlertsDigest}) of the
   * ids of the node's alerts linked to the operation, so that the node releases no other alert.
   */
  linkedAlerts?: string;
}

/** The digest by which a credential vouches for a set of alert ids: SHA-256 of the sorted, distinct ids. */
export function linkedAlertsDigest(alertIds: readonly string[]): string {
  return createHash('sha256').update([...new Set(alertIds)].sort().join(',')).digest('base64url');
}

/** The claims a credential carries of a membership: only what the node needs, never the hub's own ids. */
function membershipClaim(membership: VerifiedMembership): VerifiedMembership {
  const { operation, role, open, linkedAlerts } = membership;
  return { operation, role, open, ...(linkedAlerts === undefined ? {} : { linkedAlerts }) };
}

/**
 * Mints the short-lived credential that proves to a node that the call comes
 * from the gateway. It names the node it is for and the officer token it
 * accompanies, so neither can be replayed against another node or paired
 * with another officer's token. `issuedAt` (seconds since the epoch) defaults to now.
 */
export async function mintGatewayCredential(
  signer: GatewaySigner,
  agency: string,
  officerToken: string,
  membership: VerifiedMembership | null = null,
  issuedAt: number = nowSeconds(),
): Promise<string> {
  return new SignJWT({ otk: tokenDigest(officerToken), ...(membership ? { jop: membershipClaim(membership) } : {}) })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'gateway+jwt' })
    .setIssuer(signer.issuer)
    .setSubject('gateway')
    .setAudience(nodeAudience(agency))
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + credentialLifetimeSeconds)
    .sign(signer.key);
}

const nowSeconds = (now: number = Date.now()) => Math.floor(now / 1000);

export interface GatewayVerifier {
  issuer: string;
  keys: JWTVerifyGetKey;
  algorithms: string[];
}

/**
 * Credentials that verified, per key set of the gateway (the trust list's:
 * one loaded anew starts with nothing verified): the gateway presents each
 * credential for 30 s (createGatewayCredentials), so most node calls carry
 * one the node has verified before.
 */
const verifiedCredentials = createVerifiedTokenCache<JWTVerifyGetKey, Readonly<Record<string, unknown>>>();

/**
 * Verifies a credential of the gateway for this node and returns its claims
 * (remembered, see verifiedTokenCache.ts); every failure is GATEWAY_CREDENTIAL_INVALID.
 */
async function verifyCredentialFor(
  credential: string | undefined,
  agency: string,
  verifier: GatewayVerifier,
  expected: { typ: string; what: string; subject?: string },
): Promise<Readonly<Record<string, unknown>>> {
  if (!credential) {
    throw hubError(ErrorCode.GATEWAY_CREDENTIAL_INVALID, 'Agency nodes only accept calls made through the hub gateway.');
  }
  try {
    assertTokenSize(credential, expected.what);
  } catch (error) {
    throw hubError(ErrorCode.GATEWAY_CREDENTIAL_INVALID, (error as Error).message);
  }
  // Everything the verification checks beyond the signature and exp: a credential for another node,
  // of another type or under other rules is verified on its own.
  const scope = JSON.stringify([agency, expected.typ, expected.subject ?? null, verifier.issuer, verifier.algorithms]);
  return verifiedCredentials.verify(verifier.keys, credential, async () => {
    try {
      const { payload, protectedHeader, key } = await jwtVerify(credential, verifier.keys, {
        issuer: verifier.issuer,
        audience: nodeAudience(agency),
        algorithms: verifier.algorithms,
        requiredClaims: expected.subject ? ['exp', 'iss', 'aud', 'sub'] : ['exp', 'iss', 'aud'],
        typ: expected.typ,
        ...(expected.subject ? { subject: expected.subject } : {}),
      });
      // jwtVerify (no clock tolerance here) accepts it while now < exp.
      return { value: Object.freeze(payload), keys: verifier.keys, header: protectedHeader, key, acceptedUntilMs: Number(payload.exp) * 1000 };
    } catch (error) {
      throw hubError(ErrorCode.GATEWAY_CREDENTIAL_INVALID, tokenError(error, expected.what).message);
    }
  }, scope);
}

export async function verifyGatewayCredential(
  credential: string | undefined,
  officerToken: string,
  agency: string,
  verifier: GatewayVerifier,
): Promise<{ membership: VerifiedMembership | null }> {
  const payload = await verifyCredentialFor(credential, agency, verifier, { typ: 'gateway+jwt', what: 'gateway credential' });
  if (payload.otk !== tokenDigest(officerToken)) {
    throw hubError(ErrorCode.GATEWAY_CREDENTIAL_INVALID, 'The gateway credential was issued for another officer token.');
  }
  const jop = payload.jop as Partial<VerifiedMembership> | undefined;
  if (typeof jop?.operation !== 'string' || typeof jop.role !== 'string') return { membership: null };
  // Only an explicit false closes: a claim that says nothing of it is read as the gateway vouching for an open operation.
  const membership: VerifiedMembership = { operation: jop.operation, role: jop.role, open: jop.open !== false };
  if (typeof jop.linkedAlerts === 'string') membership.linkedAlerts = jop.linkedAlerts;
  return { membership };
}

/** JWT type of the gateway's service credential: distinct, so neither credential passes for the other. */
const serviceCredentialType = 'gateway-service+jwt';

/** What the gateway's service credential allows at a node: following its event feed, … */
export const eventFeedScope = 'events:read';

/** … or exchanging signed checkpoints of the audit logs (the schedule of src/audit/checkpointSchedule.ts), … */
export const checkpointExchangeScope = 'audit:checkpoints';

/** … or pruning the event feed up to where the gateway has taken it (the schedule of src/realtime/feedRetention.ts), … */
export const eventPruneScope = 'events:prune';

/** … or marking and announcing the consent deadlines that have come (the schedule of src/realtime/consentDeadlineSchedule.ts), nothing else. */
export const consentDeadlineScope = 'consent:deadlines';

/** The scopes of a service credential: one per credential. */
export type ServiceScope = typeof eventFeedScope | typeof checkpointExchangeScope | typeof eventPruneScope | typeof consentDeadlineScope;
const serviceScopes: readonly string[] = [eventFeedScope, checkpointExchangeScope, eventPruneScope, consentDeadlineScope];

/** The gateway itself, as a node's audit log names it when it follows the feed. */
export const gatewayServiceSubject = 'service:gateway';

/**
 * Mints the gateway's service credential: the gateway acting on its own
 * account, not an officer's, towards one node (audience) and for one scope.
 * It carries no officer and releases no record: the event feed it reads
 * names recipients and record ids only, and every record is released later,
 * to an officer, by the officer-bound credential.
 */
export async function mintGatewayServiceCredential(
  signer: GatewaySigner,
  agency: string,
  scope: ServiceScope = eventFeedScope,
  issuedAt: number = nowSeconds(),
): Promise<string> {
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: serviceCredentialType })
    .setIssuer(signer.issuer)
    .setSubject(gatewayServiceSubject)
    .setAudience(nodeAudience(agency))
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + credentialLifetimeSeconds)
    .sign(signer.key);
}

/** Options for {@link createGatewayCredentials}. */
export interface GatewayCredentialsOptions {
  /**
   * How long one credential is presented, in seconds, from its issue; it
   * then has the rest of its {@link credentialLifetimeSeconds} left for the
   * call to reach the node and for clock skew. Default 30.
   */
  reuseSeconds?: number;
  /** Most credentials kept at once; the oldest goes first. Default 10,000. */
  maxEntries?: number;
  /** The clock, in milliseconds since the epoch. Default Date.now. */
  now?: () => number;
}

/** The gateway's credentials towards the nodes, each minted once and presented for a while. */
export interface GatewayCredentials {
  /** The credential of a call on behalf of the officer holding `officerToken`, with this membership, to `agency`'s node. */
  forOfficer(agency: string, officerToken: string, membership: VerifiedMembership | null): Promise<string>;
  /** The gateway's service credential towards `agency`'s node for `scope`. */
  forService(agency: string, scope?: ServiceScope): Promise<string>;
}

/**
 * Mints each credential once and presents it on every call with the same
 * claims until `reuseSeconds` after its issue. A credential is one ES256
 * signature, on every node call of every request; its claims (node, officer
 * token, membership, scope) are the cache key, so a credential never travels
 * with another officer's token, to another node or with another membership
 * than the one it names, and each is presented only while much of its
 * lifetime is left. Nodes keep no record of credentials seen (no `jti`): a
 * credential is bearer proof of the gateway for its lifetime whether it is
 * presented once or many times, so reusing one within that lifetime gives
 * no one anything a single use would not.
 */
export function createGatewayCredentials(signer: GatewaySigner, { reuseSeconds = 30, maxEntries = 10_000, now = Date.now }: GatewayCredentialsOptions = {}): GatewayCredentials {
  if (!(reuseSeconds > 0 && reuseSeconds < credentialLifetimeSeconds)) throw new RangeError(`reuseSeconds must be between 0 and ${credentialLifetimeSeconds}`);
  const minted = new Map<string, { credential: Promise<string>; issuedAt: number }>();
  const cached = (key: string, mint: (issuedAt: number) => Promise<string>) => {
    const at = nowSeconds(now());
    const known = minted.get(key);
    if (known && at - known.issuedAt < reuseSeconds && at >= known.issuedAt) return known.credential;
    minted.delete(key);
    const credential = mint(at);
    // A failed signature is not kept: the next call signs again.
    credential.catch(() => minted.get(key)?.credential === credential && minted.delete(key));
    minted.set(key, { credential, issuedAt: at });
    if (minted.size > maxEntries) minted.delete(minted.keys().next().value!);
    return credential;
  };
  return {
    forOfficer: (agency, officerToken, membership) =>
      cached(JSON.stringify(['officer', agency, tokenDigest(officerToken), membership && membershipClaim(membership)]), (issuedAt) =>
        mintGatewayCredential(signer, agency, officerToken, membership, issuedAt),
      ),
    forService: (agency, scope = eventFeedScope) =>
      cached(JSON.stringify(['service', agency, scope]), (issuedAt) => mintGatewayServiceCredential(signer, agency, scope, issuedAt)),
  };
}

/** Whether a bearer token presents itself as a service credential (checked by its verification, not by this). */
export function isServiceCredential(credential: string | undefined): boolean {
  if (!credential) return false;
  try {
    return decodeProtectedHeader(credential).typ === serviceCredentialType;
  } catch {
    return false;
  }
}

/** Verifies the gateway's service credential for this node and returns its scope; each field then checks the scope it needs. */
export async function verifyGatewayServiceCredential(credential: string | undefined, agency: string, verifier: GatewayVerifier): Promise<ServiceScope> {
  const payload = await verifyCredentialFor(credential, agency, verifier, {
    typ: serviceCredentialType,
    what: 'gateway service credential',
    subject: gatewayServiceSubject,
  });
  if (typeof payload.scope !== 'string' || !serviceScopes.includes(payload.scope)) {
    throw hubError(ErrorCode.GATEWAY_CREDENTIAL_INVALID, 'The gateway service credential names no scope a node knows.');
  }
  return payload.scope as ServiceScope;
}
