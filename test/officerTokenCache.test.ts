import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureDevelopmentKeys, hubAudience, type DevelopmentKeys } from '../src/identity/developmentKeys.ts';
import { mintOfficerToken } from '../src/identity/mintOfficerToken.ts';
import { createTrustList, type TrustListFile } from '../src/identity/trustList.ts';
import { verifyOfficerToken } from '../src/identity/verifyOfficerToken.ts';
import { demoUsers } from './helpers.ts';

// verifyOfficerToken remembers a token that verified. What it remembers must
// never outlive what jwtVerify would accept: the token's exp (with the clock
// tolerance), the trust list that vouched for it, and the issuer's key.

const claims = demoUsers['xk-border-officer'];
type KeySet = { keys: (JWK & { kty: string })[] };
let dir: string;
let keys: DevelopmentKeys;
let jwksServer: Server;
/** What the XK identity provider publishes at its JWKS endpoint; tests replace it. */
let published: KeySet;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-token-cache-'));
  keys = await ensureDevelopmentKeys(dir, ['XK', 'MK']);
  jwksServer = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(published));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const mint = (expiresIn: string) => mintOfficerToken(keys.agencies.get('XK')!, claims, { audience: hubAudience, expiresIn });
const code = (promise: Promise<unknown>) => promise.then(() => 'ACCEPTED', (error: { extensions?: { code?: string } }) => error.extensions?.code ?? String(error));

/** The development trust list with XK's keys as given (inline, or at the local JWKS endpoint). */
function trustListWith(xk: { jwks: KeySet } | { jwksUri: string }): TrustListFile {
  const file = keys.trustList;
  return { ...file, issuers: file.issuers.map((issuer) => (issuer.agency === 'XK' ? { issuer: issuer.issuer, agency: 'XK', ...xk } : issuer)) };
}

const xkJwks = () => keys.trustList.issuers.find((issuer) => issuer.agency === 'XK')!.jwks as KeySet;

describe('verified officer tokens are remembered only while jwtVerify would accept them', () => {
  it('refuses a remembered token once it has expired (after the clock tolerance), as without the cache', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const trustList = createTrustList(keys.trustList);
    const token = await mint('60s');
    await expect(verifyOfficerToken(token, trustList)).resolves.toMatchObject({ sub: claims.sub, agency: 'XK' });
    vi.setSystemTime(start + 60_000 + 29_000);
    expect(await code(verifyOfficerToken(token, trustList))).toBe('ACCEPTED');
    vi.setSystemTime(start + 60_000 + 31_000);
    expect(await code(verifyOfficerToken(token, trustList))).toBe('TOKEN_EXPIRED');
    // And stays refused: the expired token is not remembered as good again.
    expect(await code(verifyOfficerToken(token, trustList))).toBe('TOKEN_EXPIRED');
  });

  it('refuses a remembered token under a trust list that no longer holds its key, and one whose issuer is gone', async () => {
    const token = await mint('1h');
    const trusted = createTrustList(keys.trustList);
    expect(await code(verifyOfficerToken(token, trusted))).toBe('ACCEPTED');
    const { publicKey } = await generateKeyPair('ES256');
    const rotated = createTrustList(trustListWith({ jwks: { keys: [{ ...(await exportJWK(publicKey)), kty: 'EC', kid: 'rotated', alg: 'ES256', use: 'sig' }] } }));
    expect(await code(verifyOfficerToken(token, rotated))).toBe('TOKEN_KEY_UNKNOWN');
    const withoutXk = createTrustList({ ...keys.trustList, issuers: keys.trustList.issuers.filter((issuer) => issuer.agency !== 'XK') });
    expect(await code(verifyOfficerToken(token, withoutXk))).toBe('TOKEN_ISSUER_UNTRUSTED');
    // The list that still holds the key still accepts it.
    expect(await code(verifyOfficerToken(token, trusted))).toBe('ACCEPTED');
  });

  it('refuses a remembered token once its identity provider has withdrawn the key from its JWKS', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    published = xkJwks();
    const { port } = jwksServer.address() as AddressInfo;
    const trustList = createTrustList(trustListWith({ jwksUri: `http://127.0.0.1:${port}/jwks.json` }));
    const token = await mint('1h');
    expect(await code(verifyOfficerToken(token, trustList))).toBe('ACCEPTED');
    const { publicKey } = await generateKeyPair('ES256');
    published = { keys: [{ ...(await exportJWK(publicKey)), kty: 'EC', kid: 'rotated', alg: 'ES256', use: 'sig' }] };
    // Until the hub fetches the key set again (jose keeps it 10 minutes), nothing has changed for it.
    vi.setSystemTime(start + 5 * 60_000);
    expect(await code(verifyOfficerToken(token, trustList))).toBe('ACCEPTED');
    // Once it has, the remembered token is refused with the key.
    vi.setSystemTime(start + 11 * 60_000);
    expect(await code(verifyOfficerToken(token, trustList))).toBe('TOKEN_KEY_UNKNOWN');
  });

  it('gives every request the same frozen officer: no request can change who the next one is', async () => {
    const trustList = createTrustList(keys.trustList);
    const token = await mint('1h');
    const first = await verifyOfficerToken(token, trustList);
    const second = await verifyOfficerToken(token, trustList);
    expect(second).toEqual(first);
    expect(Object.isFrozen(second)).toBe(true);
    expect(() => (second.roles as string[]).push('admin')).toThrow(TypeError);
  });
});
