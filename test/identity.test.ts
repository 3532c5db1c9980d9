import { createHmac } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubAudience } from '../src/identity/developmentKeys.ts';
import { mintGatewayCredential } from '../src/identity/gatewayCredential.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import { createTrustList } from '../src/identity/trustList.ts';
import { verifyOfficerToken } from '../src/identity/verifyOfficerToken.ts';
import { codes, demoUsers, graphql, startTestHub, type TestHub } from './helpers.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const viewer = '{ viewer { sub agency unit roles } }';
const claims = demoUsers['xk-border-officer'];

/** A token signed with the real XK identity provider key, with the given changes. */
async function xkToken(change: (jwt: SignJWT) => SignJWT = (jwt) => jwt, payload: Record<string, unknown> = {}, header: { typ?: string } = {}) {
  const key = hub.keys.agencies.get('XK')!;
  const jwt = new SignJWT({ agency: 'XK', unit: claims.unit, roles: claims.roles, ...payload })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, ...header })
    .setIssuer(key.issuer)
    .setSubject(claims.sub)
    .setAudience(hubAudience)
    .setIssuedAt()
    .setExpirationTime('10m');
  return change(jwt).sign(key.key);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('officer tokens at the gateway', () => {
  it('accepts a valid token and takes identity from it', async () => {
    const result = await graphql(hub.gatewayUrl, viewer, {}, { token: await xkToken() });
    expect(result.data!.viewer).toEqual({ sub: claims.sub, agency: 'XK', unit: claims.unit, roles: ['officer'] });
  });

  const refused: [string, () => Promise<string | undefined>, string][] = [
    ['no token at all', async () => undefined, 'TOKEN_MISSING'],
    ['an expired token', () => xkToken((jwt) => jwt.setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600)), 'TOKEN_EXPIRED'],
    ['a token of an issuer not on the trust list', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      return new SignJWT({ agency: 'XK', unit: 'X', roles: ['officer'] })
        .setProtectedHeader({ alg: 'ES256', kid: hub.keys.agencies.get('XK')!.kid })
        .setIssuer('https://idp.attacker.example')
        .setSubject('mallory')
        .setAudience(hubAudience)
        .setExpirationTime('10m')
        .sign(privateKey);
    }, 'TOKEN_ISSUER_UNTRUSTED'],
    ['a token for another audience', () => xkToken((jwt) => jwt.setAudience('urn:some-other-service')), 'TOKEN_AUDIENCE_INVALID'],
    ['an unsigned token (alg: none)', async () => {
      const key = hub.keys.agencies.get('XK')!;
      const now = Math.floor(Date.now() / 1000);
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: key.issuer, sub: 'x', aud: hubAudience, exp: now + 600, agency: 'XK', unit: 'X', roles: ['admin'] })}.`;
    }, 'TOKEN_ALGORITHM_REJECTED'],
    ['an HS256 token signed with the issuer public key (algorithm confusion)', async () => {
      const key = hub.keys.agencies.get('XK')!;
      const now = Math.floor(Date.now() / 1000);
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64({ iss: key.issuer, sub: 'x', aud: hubAudience, exp: now + 600, agency: 'XK', unit: 'X', roles: ['admin'] })}`;
      const signature = createHmac('sha256', JSON.stringify(key.publicJwk)).update(input).digest('base64url');
      return `${input}.${signature}`;
    }, 'TOKEN_ALGORITHM_REJECTED'],
    ['a token naming a key the issuer does not publish', async () => {
      const key = hub.keys.agencies.get('XK')!;
      const { privateKey } = await generateKeyPair('ES256');
      return new SignJWT({ agency: 'XK', unit: 'X', roles: ['officer'] })
        .setProtectedHeader({ alg: 'ES256', kid: 'rotated-away-key' })
        .setIssuer(key.issuer)
        .setSubject('x')
        .setAudience(hubAudience)
        .setExpirationTime('10m')
        .sign(privateKey);
    }, 'TOKEN_KEY_UNKNOWN'],
    ['a token signed by another key under the issuer kid', async () => {
      const key = hub.keys.agencies.get('XK')!;
      const { privateKey } = await generateKeyPair('ES256');
      return new SignJWT({ agency: 'XK', unit: 'X', roles: ['officer'] })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setIssuer(key.issuer)
        .setSubject('x')
        .setAudience(hubAudience)
        .setExpirationTime('10m')
        .sign(privateKey);
    }, 'TOKEN_INVALID'],
    ['a token without exp', async () => {
      const key = hub.keys.agencies.get('XK')!;
      return new SignJWT({ agency: 'XK', unit: claims.unit, roles: claims.roles })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setIssuer(key.issuer)
        .setSubject(claims.sub)
        .setAudience(hubAudience)
        .sign(key.key);
    }, 'TOKEN_INVALID'],
    ['an XK issuer vouching for an MK officer', () => xkToken((jwt) => jwt, { agency: 'MK' }), 'TOKEN_INVALID'],
    ['a token with an unknown role', () => xkToken((jwt) => jwt, { roles: ['superuser'] }), 'TOKEN_INVALID'],
    ['garbage', async () => 'not-a-jwt', 'TOKEN_INVALID'],
    // RFC 8725: issued-at required and not in the future, lifetime capped, explicit typing respected.
    ['a token without iat', async () => {
      const key = hub.keys.agencies.get('XK')!;
      return new SignJWT({ agency: 'XK', unit: claims.unit, roles: claims.roles })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setIssuer(key.issuer)
        .setSubject(claims.sub)
        .setAudience(hubAudience)
        .setExpirationTime('10m')
        .sign(key.key);
    }, 'TOKEN_INVALID'],
    ['a token issued ten minutes in the future', () => xkToken((jwt) => jwt.setIssuedAt(Math.floor(Date.now() / 1000) + 600).setExpirationTime('1h')), 'TOKEN_INVALID'],
    ['a token valid for a week', () => xkToken((jwt) => jwt.setExpirationTime('7d')), 'TOKEN_INVALID'],
    ['an ID token (typ of another kind of JWT)', () => xkToken(undefined, {}, { typ: 'dpop+jwt' }), 'TOKEN_INVALID'],
  ];

  for (const [what, make, code] of refused) {
    it(`refuses ${what} with ${code} and HTTP 401`, async () => {
      const token = await make();
      const result = await graphql(hub.gatewayUrl, viewer, {}, token ? { token } : {});
      expect(result.status).toBe(401);
      expect(codes(result)).toEqual([code]);
      expect(result.data ?? null).toBeNull();
    });
  }
});

describe('the token comes first', () => {
  it('refuses a request without a valid token before its document is parsed or validated, so the schema is not probed anonymously', async () => {
    for (const query of ['{ secretField }', '{ alerts(first: "x") { nope } }', '{ not graphql']) {
      for (const token of [undefined, 'not-a-jwt']) {
        const result = await graphql(hub.gatewayUrl, query, {}, token ? { token } : {});
        expect(result.status, query).toBe(401);
        expect(codes(result), query).toEqual([token ? 'TOKEN_INVALID' : 'TOKEN_MISSING']);
      }
    }
    // With a valid token, the same documents get their own errors.
    expect(codes(await graphql(hub.gatewayUrl, '{ secretField }', {}, { token: await xkToken() }))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('identity providers that type their tokens (RFC 8725 explicit typing)', () => {
  it('accept only tokens of the pinned type from them', async () => {
    const file = structuredClone(hub.keys.trustList);
    file.issuers = file.issuers.map((issuer) => ({ ...issuer, tokenType: 'at+jwt' }));
    const pinned = createTrustList(file);
    const typed = await xkToken(undefined, {}, { typ: 'at+jwt' });
    await expect(verifyOfficerToken(typed, pinned)).resolves.toMatchObject({ sub: claims.sub, agency: 'XK' });
    for (const typ of ['JWT', undefined]) {
      const other = await xkToken(undefined, {}, typ ? { typ } : {});
      await expect(verifyOfficerToken(other, pinned)).rejects.toMatchObject({ extensions: { code: 'TOKEN_INVALID' } });
    }
  });
});

describe('agency nodes trust only the gateway', () => {
  const nodeQuery = '{ agency { code } }';

  it('refuse an officer calling a node directly, even with a valid token', async () => {
    const officerToken = await hub.token('xk-border-officer');
    const result = await graphql(hub.nodes.get('XK')!.url, nodeQuery, {}, { headers: { [officerTokenHeader]: officerToken, authorization: `Bearer ${officerToken}` } });
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(['GATEWAY_CREDENTIAL_INVALID']);
  });

  it('refuse a gateway credential minted for another node', async () => {
    const officerToken = await hub.token('xk-border-officer');
    const credential = await mintGatewayCredential(hub.keys.gateway, 'MK', officerToken);
    const result = await graphql(hub.nodes.get('XK')!.url, nodeQuery, {}, { headers: { [officerTokenHeader]: officerToken, authorization: `Bearer ${credential}` } });
    expect(codes(result)).toEqual(['GATEWAY_CREDENTIAL_INVALID']);
  });

  it('refuse a gateway credential paired with another officer token', async () => {
    const credential = await mintGatewayCredential(hub.keys.gateway, 'XK', await hub.token('xk-border-officer'));
    const other = await hub.token('xk-liaison');
    const result = await graphql(hub.nodes.get('XK')!.url, nodeQuery, {}, { headers: { [officerTokenHeader]: other, authorization: `Bearer ${credential}` } });
    expect(codes(result)).toEqual(['GATEWAY_CREDENTIAL_INVALID']);
  });

  it('verify the officer again: a valid gateway credential cannot carry a forged officer', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const forged = await new SignJWT({ agency: 'XK', unit: 'X', roles: ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: hub.keys.agencies.get('XK')!.kid })
      .setIssuer(hub.keys.agencies.get('XK')!.issuer)
      .setSubject('forged')
      .setAudience(hubAudience)
      .setExpirationTime('10m')
      .sign(privateKey);
    expect(await exportJWK(publicKey)).toBeTruthy();
    const credential = await mintGatewayCredential(hub.keys.gateway, 'XK', forged);
    const result = await graphql(hub.nodes.get('XK')!.url, nodeQuery, {}, { headers: { [officerTokenHeader]: forged, authorization: `Bearer ${credential}` } });
    expect(codes(result)).toEqual(['TOKEN_INVALID']);
  });

  it('accept the genuine pair', async () => {
    const officerToken = await hub.token('xk-border-officer');
    const credential = await mintGatewayCredential(hub.keys.gateway, 'XK', officerToken);
    const result = await graphql(hub.nodes.get('XK')!.url, nodeQuery, {}, { headers: { [officerTokenHeader]: officerToken, authorization: `Bearer ${credential}` } });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ agency: { code: 'XK' } });
  });

  it('refuse a gateway credential signed by a key that is not the gateway key', async () => {
    const officerToken = await hub.token('xk-border-officer');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const impostor = { ...hub.keys.gateway, key: (await importJWK(await exportJWK(privateKey), 'ES256')) as typeof hub.keys.gateway.key };
    const credential = await mintGatewayCredential(impostor, 'XK', officerToken);
    const result = await graphql(hub.nodes.get('XK')!.url, nodeQuery, {}, { headers: { [officerTokenHeader]: officerToken, authorization: `Bearer ${credential}` } });
    expect(codes(result)).toEqual(['GATEWAY_CREDENTIAL_INVALID']);
  });
});
