import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { gatewayParty } from '../audit/auditEntry.ts';
import { loadOrCreateDigestKey, type DigestKey } from '../audit/termDigests.ts';
import type { GatewaySigner } from './gatewayCredential.ts';
import type { TrustListFile } from './trustList.ts';

/** Audience of officer tokens: the hub as a whole. */
export const hubAudience = 'urn:border-hub';

/** Issuer of the development identity provider of an agency. */
export const developmentIssuer = (agency: string) => `urn:border-hub:dev-idp:${agency.toLowerCase()}`;
export const developmentGatewayIssuer = 'urn:border-hub:gateway';

const algorithm = 'ES256';

export interface SigningKey {
  issuer: string;
  kid: string;
  alg: string;
  key: CryptoKey;
  publicJwk: JWK & { kty: string };
}

export interface DevelopmentKeys {
  /** One identity provider key per agency. */
  agencies: ReadonlyMap<string, SigningKey>;
  /** One key per agency node, for signing its audit checkpoints. */
  nodes: ReadonlyMap<string, SigningKey>;
  gateway: GatewaySigner & { publicJwk: JWK & { kty: string } };
  /** One secret key per party (each agency, GATEWAY) for the digests of identifiers in its audit log. */
  auditDigests: ReadonlyMap<string, DigestKey>;
  trustList: TrustListFile;
  /** Where trust-list.json was written. */
  trustListPath: string;
}

/** Reads a private JWK file (with `kid` and `alg`) as a signing key for `issuer`. */
export async function loadSigningKey(file: string, issuer: string): Promise<SigningKey> {
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (error) {
    throw new Error(`cannot read signing key ${file}: ${(error as Error).message}`);
  }
  if (!privateJwk.kid || !privateJwk.alg || !privateJwk.d) {
    throw new Error(`signing key ${file} must be a private JWK with "kid" and "alg"`);
  }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = privateJwk;
  return {
    issuer,
    kid: privateJwk.kid,
    alg: privateJwk.alg,
    key: (await importJWK(privateJwk, privateJwk.alg)) as CryptoKey,
    publicJwk: { ...rest, kty: rest.kty ?? 'EC' },
  };
}

async function loadOrCreateKey(dir: string, name: string, issuer: string): Promise<SigningKey> {
  const file = join(dir, `${name}.private.jwk.json`);
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair(algorithm, { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    privateJwk.kid = await calculateJwkThumbprint(privateJwk);
    privateJwk.alg = algorithm;
    privateJwk.use = 'sig';
    await writeFile(file, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
  }
  return loadSigningKey(file, issuer);
}

/**
 * Development identity: an ES256 key per agency identity provider and one
 * for the gateway, created on first use in `dir` and reused after, with the
 * trust list that goes with them. Production replaces all of this with the
 * agencies' real identity providers and a trust list file.
 */
export async function ensureDevelopmentKeys(dir: string, agencies: readonly string[]): Promise<DevelopmentKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys = new Map<string, SigningKey>();
  for (const agency of agencies) {
    keys.set(agency, await loadOrCreateKey(dir, `idp-${agency.toLowerCase()}`, developmentIssuer(agency)));
  }
  const nodes = new Map<string, SigningKey>();
  for (const agency of agencies) {
    nodes.set(agency, await loadOrCreateKey(dir, `node-${agency.toLowerCase()}`, `urn:border-hub:node:${agency.toLowerCase()}`));
  }
  const gateway = await loadOrCreateKey(dir, 'gateway', developmentGatewayIssuer);
  const auditDigests = new Map<string, DigestKey>();
  for (const party of [...agencies, gatewayParty]) {
    auditDigests.set(party, await loadOrCreateDigestKey(join(dir, `audit-digest-${party.toLowerCase()}.secret.jwk.json`)));
  }
  const trustList: TrustListFile = {
    audience: hubAudience,
    algorithms: [algorithm],
    issuers: [...keys].map(([agency, key]) => ({ issuer: key.issuer, agency, jwks: { keys: [key.publicJwk] } })),
    gateway: { issuer: gateway.issuer, jwks: { keys: [gateway.publicJwk] } },
    parties: [
      ...[...nodes].map(([agency, key]) => ({ party: agency, jwks: { keys: [key.publicJwk] } })),
      { party: gatewayParty, jwks: { keys: [gateway.publicJwk] } },
    ],
  };
  const trustListPath = join(dir, 'trust-list.json');
  await writeFile(trustListPath, `${JSON.stringify(trustList, null, 2)}\n`);
  return { agencies: keys, nodes, gateway, auditDigests, trustList, trustListPath };
}
