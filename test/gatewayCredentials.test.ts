import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNodeClient } from '../src/gateway/nodeClient.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import { ensureDevelopmentKeys, type DevelopmentKeys } from '../src/identity/developmentKeys.ts';
import {
  createGatewayCredentials,
  credentialLifetimeSeconds,
  linkedAlertsDigest,
  mintGatewayCredential,
  mintGatewayServiceCredential,
  verifyGatewayCredential,
  verifyGatewayServiceCredential,
  type GatewayVerifier,
} from '../src/identity/gatewayCredential.ts';

// The gateway signs a credential per node call; it now mints each once and
// presents it for a while. What must not change: a credential travels only
// with the officer token, to the node and with the membership it names, and
// only while most of its lifetime is left.

let dir: string;
let keys: DevelopmentKeys;
let verifier: GatewayVerifier;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-credentials-'));
  keys = await ensureDevelopmentKeys(dir, ['XK', 'MK']);
  verifier = { issuer: keys.gateway.issuer, keys: createLocalJWKSet({ keys: [keys.gateway.publicJwk] }), algorithms: [keys.gateway.alg] };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A clock that moves only when told: the cache's decisions do not depend on how fast the test runs. */
function testClock() {
  let now = Date.now();
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

const membership = { operation: 'JOP-2026-007', role: 'MEMBER', open: true };

describe('gateway credentials', () => {
  it('present one credential per officer token, node and membership, each valid only for its own', async () => {
    const credentials = createGatewayCredentials(keys.gateway, { now: testClock().now });
    const first = await credentials.forOfficer('XK', 'token-a', null);
    expect(await credentials.forOfficer('XK', 'token-a', null)).toBe(first);

    const others = await Promise.all([
      credentials.forOfficer('XK', 'token-b', null),
      credentials.forOfficer('MK', 'token-a', null),
      credentials.forOfficer('XK', 'token-a', membership),
      credentials.forOfficer('XK', 'token-a', { ...membership, role: 'LIAISON' }),
      credentials.forOfficer('XK', 'token-a', { ...membership, operation: 'JOP-2026-008' }),
      credentials.forOfficer('XK', 'token-a', { ...membership, open: false }),
      credentials.forOfficer('XK', 'token-a', { ...membership, linkedAlerts: 'digest' }),
    ]);
    expect(new Set([first, ...others]).size).toBe(8);

    const [otherToken, otherNode, withMembership] = others;
    await expect(verifyGatewayCredential(first, 'token-a', 'XK', verifier)).resolves.toEqual({ membership: null });
    await expect(verifyGatewayCredential(otherToken, 'token-a', 'XK', verifier)).rejects.toMatchObject({ extensions: { code: 'GATEWAY_CREDENTIAL_INVALID' } });
    await expect(verifyGatewayCredential(otherNode, 'token-a', 'XK', verifier)).rejects.toMatchObject({ extensions: { code: 'GATEWAY_CREDENTIAL_INVALID' } });
    await expect(verifyGatewayCredential(withMembership, 'token-a', 'XK', verifier)).resolves.toEqual({ membership });
  });

  it('vouch for a membership with what a node needs of it only: code, role, whether the operation is open, and the linked alerts of a release', async () => {
    const credentials = createGatewayCredentials(keys.gateway, { now: testClock().now });
    // The hub's own membership carries its ids too: they stay at the hub.
    const hubMembership = { ...membership, open: false, operationId: '6f1c1a52-8f55-4f6a-9d43-6c8bb1b0d6f0', memberId: 'b0b7a0a4-5c43-4f06-8d22-1f8f5e3c9d11' };
    const closed = await credentials.forOfficer('XK', 'token-a', hubMembership);
    expect(decodeJwt(closed).jop).toEqual({ operation: membership.operation, role: membership.role, open: false });
    await expect(verifyGatewayCredential(closed, 'token-a', 'XK', verifier)).resolves.toEqual({ membership: { ...membership, open: false } });
    const digest = linkedAlertsDigest(['b', 'a', 'a']);
    expect(digest).toBe(linkedAlertsDigest(['a', 'b']));
    const release = await credentials.forOfficer('XK', 'token-a', { ...membership, linkedAlerts: digest });
    await expect(verifyGatewayCredential(release, 'token-a', 'XK', verifier)).resolves.toEqual({ membership: { ...membership, linkedAlerts: digest } });
  });

  it('mint a new credential once the reuse window has passed, never presenting one near its expiry', async () => {
    const clock = testClock();
    const credentials = createGatewayCredentials(keys.gateway, { now: clock.now, reuseSeconds: 30 });
    const first = await credentials.forOfficer('XK', 'token-a', null);
    const { iat, exp } = decodeJwt(first);
    expect(exp! - iat!).toBe(credentialLifetimeSeconds);

    clock.advance(29);
    expect(await credentials.forOfficer('XK', 'token-a', null)).toBe(first);
    clock.advance(1);
    const second = await credentials.forOfficer('XK', 'token-a', null);
    expect(second).not.toBe(first);
    expect(decodeJwt(second).iat).toBe(iat! + 30);
    await expect(verifyGatewayCredential(second, 'token-a', 'XK', verifier)).resolves.toEqual({ membership: null });

    // A clock set back does not make an old credential look fresh.
    clock.advance(-60);
    expect(decodeJwt(await credentials.forOfficer('XK', 'token-a', null)).iat).toBe(iat! - 30);
  });

  it('keep service credentials apart from officers\u2019 and from each other by node and scope', async () => {
    const credentials = createGatewayCredentials(keys.gateway, { now: testClock().now });
    const feed = await credentials.forService('XK');
    expect(await credentials.forService('XK', 'events:read')).toBe(feed);
    const checkpoints = await credentials.forService('XK', 'audit:checkpoints');
    expect(checkpoints).not.toBe(feed);
    expect(await verifyGatewayServiceCredential(feed, 'XK', verifier)).toBe('events:read');
    expect(await verifyGatewayServiceCredential(checkpoints, 'XK', verifier)).toBe('audit:checkpoints');
    await expect(verifyGatewayServiceCredential(await credentials.forService('MK'), 'XK', verifier)).rejects.toMatchObject({
      extensions: { code: 'GATEWAY_CREDENTIAL_INVALID' },
    });
  });

  it('keep at most maxEntries credentials, the oldest going first', async () => {
    const credentials = createGatewayCredentials(keys.gateway, { now: testClock().now, maxEntries: 2 });
    const a = await credentials.forOfficer('XK', 'token-a', null);
    const b = await credentials.forOfficer('XK', 'token-b', null);
    await credentials.forOfficer('XK', 'token-c', null);
    expect(await credentials.forOfficer('XK', 'token-b', null)).toBe(b);
    expect(await credentials.forOfficer('XK', 'token-a', null)).not.toBe(a);
  });

  it('are what the node client presents: the same credential on the calls of one officer, another for another officer', async () => {
    // A node of its own, on 127.0.0.1, that notes the credentials it is shown.
    const seen: { authorization: string | undefined; officerToken: string | undefined }[] = [];
    const server = createServer((request, response) => {
      seen.push({ authorization: request.headers.authorization, officerToken: request.headers[officerTokenHeader] as string | undefined });
      request.resume().on('end', () => response.setHeader('content-type', 'application/json').end(JSON.stringify({ data: { ok: true } })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
      const nodes = createNodeClient({ nodes: new Map([['XK', url]]), signer: keys.gateway });
      const caller = (officerToken: string) => ({ officerToken, purpose: { code: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' }, membership: null });
      for (const token of ['token-a', 'token-a', 'token-b']) await nodes.request('XK', '{ ok }', {}, caller(token));
      expect(seen.map((call) => call.officerToken)).toEqual(['token-a', 'token-a', 'token-b']);
      expect(seen[1]!.authorization).toBe(seen[0]!.authorization);
      expect(seen[2]!.authorization).not.toBe(seen[0]!.authorization);
      const bearer = (index: number) => seen[index]!.authorization!.replace(/^Bearer /, '');
      await expect(verifyGatewayCredential(bearer(0), 'token-a', 'XK', verifier)).resolves.toEqual({ membership: null });
      await expect(verifyGatewayCredential(bearer(2), 'token-b', 'XK', verifier)).resolves.toEqual({ membership: null });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuse a reuse window that would present a credential at or past its expiry', () => {
    expect(() => createGatewayCredentials(keys.gateway, { reuseSeconds: credentialLifetimeSeconds })).toThrow(RangeError);
    expect(() => createGatewayCredentials(keys.gateway, { reuseSeconds: 0 })).toThrow(RangeError);
  });
});

// The node remembers a credential that verified (the gateway presents each for
// 30 s). What it remembers must never outlive what jwtVerify would accept, nor
// pass for what it was not verified as.
describe('verified gateway credentials at the node', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const code = (promise: Promise<unknown>) => promise.then(() => 'ACCEPTED', (error: { extensions?: { code?: string } }) => error.extensions?.code ?? String(error));

  it('refuse a remembered credential once it has expired, and keep refusing it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const credential = await mintGatewayCredential(keys.gateway, 'XK', 'token-a');
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'XK', verifier))).toBe('ACCEPTED');
    vi.setSystemTime(start + (credentialLifetimeSeconds - 2) * 1000);
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'XK', verifier))).toBe('ACCEPTED');
    vi.setSystemTime(start + (credentialLifetimeSeconds + 1) * 1000);
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'XK', verifier))).toBe('GATEWAY_CREDENTIAL_INVALID');
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'XK', verifier))).toBe('GATEWAY_CREDENTIAL_INVALID');
  });

  it('do not let a remembered credential pass for another officer token, node or kind of credential', async () => {
    const credential = await mintGatewayCredential(keys.gateway, 'XK', 'token-a');
    const service = await mintGatewayServiceCredential(keys.gateway, 'XK');
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'XK', verifier))).toBe('ACCEPTED');
    expect(await code(verifyGatewayServiceCredential(service, 'XK', verifier))).toBe('ACCEPTED');
    expect(await code(verifyGatewayCredential(credential, 'token-b', 'XK', verifier))).toBe('GATEWAY_CREDENTIAL_INVALID');
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'MK', verifier))).toBe('GATEWAY_CREDENTIAL_INVALID');
    expect(await code(verifyGatewayServiceCredential(credential, 'XK', verifier))).toBe('GATEWAY_CREDENTIAL_INVALID');
    expect(await code(verifyGatewayCredential(service, 'token-a', 'XK', verifier))).toBe('GATEWAY_CREDENTIAL_INVALID');
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'XK', { ...verifier, issuer: 'urn:another-gateway' }))).toBe('GATEWAY_CREDENTIAL_INVALID');
    // Still good where it was verified.
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'XK', verifier))).toBe('ACCEPTED');
  });

  it('refuse a remembered credential once the key set no longer holds its key', async () => {
    // One key set whose keys change, as a remote JWKS's do when the gateway's key is rotated.
    let current = createLocalJWKSet({ keys: [keys.gateway.publicJwk] });
    const rotating: GatewayVerifier = { ...verifier, keys: (header, token) => current(header, token) };
    const credential = await mintGatewayCredential(keys.gateway, 'XK', 'token-a');
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'XK', rotating))).toBe('ACCEPTED');
    const { publicKey } = await generateKeyPair('ES256');
    current = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'rotated', alg: 'ES256', use: 'sig' }] });
    expect(await code(verifyGatewayCredential(credential, 'token-a', 'XK', rotating))).toBe('GATEWAY_CREDENTIAL_INVALID');
  });
});
