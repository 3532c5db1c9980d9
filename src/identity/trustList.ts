import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';

/** Algorithms the hub accepts at all; a trust list may pin a subset. */
const allowedAlgorithms = ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'] as const;

const jwkSchema = z.object({ kty: z.string() }).passthrough();

const issuerSchema = z
  .object({
    /** Exact `iss` value of the agency's identity provider. */
    issuer: z.string().min(1),
    /** Agency the issuer speaks for. */
    agency: z.string().regex(/^[A-Z]{2}$/, 'agency must be a two-letter code such as XK'),
    /** JWKS endpoint of the identity provider. */
    jwksUri: z.string().url().optional(),
    /** Inline key set, for development keys and air-gapped deployments. */
    jwks: z.object({ keys: z.array(jwkSchema).min(1) }).optional(),
    /**
     * The `typ` header this identity provider sets on officer tokens (RFC 8725 explicit typing, e.g. "at+jwt"), which
     * every token of it must then carry. Without it, a token may carry no `typ`, "JWT" or "at+jwt".
     */
    tokenType: z.string().min(1).max(100).optional(),
  })
  .refine((value) => Boolean(value.jwksUri) !== Boolean(value.jwks), {
    message: 'give exactly one of jwksUri or jwks',
  });

export const trustListFileSchema = z.object({
  /** Audience every officer token must carry. */
  audience: z.string().min(1),
  /** Pinned signature algorithms. */
  algorithms: z.array(z.enum(allowedAlgorithms)).min(1).default(['ES256']),
  /** Longest lifetime (`exp` − `iat`) of an officer token the hub accepts, in seconds. Default 12 hours: a shift and its overtime. */
  maxTokenLifetimeSeconds: z.number().int().positive().default(12 * 3600),
  /** Identity providers of the agencies. */
  issuers: z.array(issuerSchema).min(1),
  /** Keys each party signs its audit checkpoints with, so that the others can keep verified copies. */
  parties: z
    .array(z.object({ party: z.string().regex(/^[A-Z][A-Z0-9_]{1,7}$/), jwks: z.object({ keys: z.array(jwkSchema).min(1) }) }))
    .default([]),
  /** The gateway's own credential, which nodes require on every call. */
  gateway: z.object({
    issuer: z.string().min(1),
    jwksUri: z.string().url().optional(),
    jwks: z.object({ keys: z.array(jwkSchema).min(1) }).optional(),
  }),
});
export type TrustListFile = z.input<typeof trustListFileSchema>;

export interface TrustedIssuer {
  issuer: string;
  agency: string;
  keys: JWTVerifyGetKey;
  /** The `typ` its tokens must carry, when the identity provider sets one. */
  tokenType?: string;
}

/** Parsed trust list: who may vouch for officers, and the gateway's key set. */
export interface TrustList {
  audience: string;
  algorithms: string[];
  /** Longest officer token lifetime accepted, in seconds. */
  maxTokenLifetimeSeconds: number;
  issuers: ReadonlyMap<string, TrustedIssuer>;
  gateway: { issuer: string; keys: JWTVerifyGetKey };
  /** Checkpoint keys per party (agency code or GATEWAY). */
  partyKeys: ReadonlyMap<string, JWTVerifyGetKey>;
}

function keySet(source: { jwksUri?: string | undefined; jwks?: { keys: unknown[] } | undefined }): JWTVerifyGetKey {
  if (source.jwksUri) return createRemoteJWKSet(new URL(source.jwksUri));
  return createLocalJWKSet(source.jwks as JSONWebKeySet);
}

export function createTrustList(file: TrustListFile): TrustList {
  const parsed = trustListFileSchema.parse(file);
  const issuers = new Map<string, TrustedIssuer>();
  for (const entry of parsed.issuers) {
    if (issuers.has(entry.issuer)) throw new Error(`trust list names issuer ${entry.issuer} twice`);
    issuers.set(entry.issuer, {
      issuer: entry.issuer,
      agency: entry.agency,
      keys: keySet(entry),
      ...(entry.tokenType ? { tokenType: entry.tokenType } : {}),
    });
  }
  if (Boolean(parsed.gateway.jwksUri) === Boolean(parsed.gateway.jwks)) {
    throw new Error('trust list gateway entry: give exactly one of jwksUri or jwks');
  }
  return {
    audience: parsed.audience,
    algorithms: parsed.algorithms,
    maxTokenLifetimeSeconds: parsed.maxTokenLifetimeSeconds,
    issuers,
    gateway: { issuer: parsed.gateway.issuer, keys: keySet(parsed.gateway) },
    partyKeys: new Map(parsed.parties.map((entry) => [entry.party, keySet(entry)])),
  };
}

export function loadTrustList(path: string): TrustList {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read trust list ${path}: ${(error as Error).message}`);
  }
  const result = trustListFileSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(`trust list ${path} is invalid: ${z.prettifyError(result.error)}`);
  }
  return createTrustList(result.data);
}
