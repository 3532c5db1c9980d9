import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubAudience } from '../src/identity/developmentKeys.ts';
import { mintGatewayCredential } from '../src/identity/gatewayCredential.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import { adminQuery, codes, demoUsers, graphql, openSocket, startTestHub, testPurpose, type GraphQLResult, type TestHub } from './helpers.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const selections = (count: number, make: (index: number) => string) => Array.from({ length: count }, (_, index) => make(index)).join(' ');

/** Documents over each limit of graphql-armor, and a syntax error: what a probe sends. */
const overLimits: [string, string][] = [
  ['31 aliases', `{ ${selections(31, (index) => `a${index}: viewer { sub }`)} }`],
  ['21 directives', `{ viewer { sub ${selections(21, () => '@include(if: true)')} } }`],
  ['cost over the ceiling', `{ ${selections(8, (index) => `a${index}: alerts(first: 100) { edges { node { summary { firearms { make model serialNumber } ammunition { calibre } } personalData { subjects { familyName documents { number } } vehicles { plate } } } } }`)} }`],
  ['over 5,000 tokens', `{ viewer { ${selections(5_100, () => 'sub')} } }`],
  ['a syntax error', `{ alerts(first: ) }`],
  ['an unknown field', `{ viewer { shoeSize } }`],
];

function deepDocument(levels: number): string {
  // The schema has no cycle to nest fields in; graphql-armor counts inline fragments as levels.
  let selection = 'code';
  for (let level = 0; level < levels - 2; level += 1) selection = `... on Agency { ${selection} }`;
  return `{ agencies { ${selection} } }`;
}

describe('the WebSocket path refuses exactly as the HTTP path does, per operation, and keeps the socket', () => {
  it('gives the same codes and messages for every limit, then serves a valid operation on the same socket', async () => {
    const cases: [string, string][] = [['depth 13 (fragments)', deepDocument(13)], ...overLimits];
    await using socket = openSocket(hub.gatewayUrl, { authorization: `Bearer ${await hub.token('xk-border-officer')}`, ...testPurpose });
    for (const [what, document] of cases) {
      const http = await hub.query('xk-border-officer', document);
      expect(http.data ?? null, what).toBeNull();
      const httpCodes = codes(http);
      expect(httpCodes.length, `${what}: ${JSON.stringify(http.errors)}`).toBeGreaterThan(0);
      expect(httpCodes.every((code) => typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR'), what).toBe(true);
      const ws = await socket.run(document);
      expect(codes(ws as GraphQLResult), what).toEqual(httpCodes);
      expect(ws.errors!.map((error) => error.message), what).toEqual(http.errors!.map((error) => error.message));
      expect(socket.closeCode(), what).toBeNull();
    }
    const valid = await socket.run('{ viewer { sub } }');
    expect(valid).toEqual({ data: { viewer: { sub: demoUsers['xk-border-officer'].sub } } });
    expect(socket.closeCode()).toBeNull();
    expect(socket.connections()).toBe(1);
  });

  it('gives QUERY_TOO_COMPLEX for each graphql-armor limit and GRAPHQL_PARSE_FAILED for a syntax error, on both transports', async () => {
    const expected: Record<string, string> = {
      '31 aliases': 'QUERY_TOO_COMPLEX',
      '21 directives': 'QUERY_TOO_COMPLEX',
      'cost over the ceiling': 'QUERY_TOO_COMPLEX',
      'over 5,000 tokens': 'QUERY_TOO_COMPLEX',
      'a syntax error': 'GRAPHQL_PARSE_FAILED',
      'an unknown field': 'GRAPHQL_VALIDATION_FAILED',
    };
    await using socket = openSocket(hub.gatewayUrl, { authorization: `Bearer ${await hub.token('xk-border-officer')}`, ...testPurpose });
    for (const [what, document] of [['depth 13 (fragments)', deepDocument(13)] as [string, string], ...overLimits]) {
      const code = expected[what] ?? 'QUERY_TOO_COMPLEX';
      expect(codes(await hub.query('xk-border-officer', document)), `HTTP ${what}`).toContain(code);
      expect(codes((await socket.run(document)) as GraphQLResult), `WS ${what}`).toContain(code);
    }
  });
});

describe('officer tokens have a bounded size on every path', () => {
  /** A genuinely signed token of about 134 KB, valid in every other respect: an extra claim carries the bulk. */
  const bigToken = () => {
    const key = hub.keys.agencies.get('XK')!;
    const claims = demoUsers['xk-border-officer'];
    return new SignJWT({ agency: claims.agency, unit: claims.unit, roles: claims.roles, padding: 'x'.repeat(100 * 1024) })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(key.issuer)
      .setSubject(claims.sub)
      .setAudience(hubAudience)
      .setExpirationTime('1h')
      .sign(key.key);
  };

  it('refuses an oversized token over HTTP with 401 TOKEN_TOO_LARGE', async () => {
    const token = await bigToken();
    expect(token.length).toBeGreaterThan(130 * 1024);
    const result = await graphql(hub.gatewayUrl, '{ viewer { sub } }', {}, { token });
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(['TOKEN_TOO_LARGE']);
  });

  it('refuses an oversized token in connection_init: the socket is closed with 4403 and the refusal is logged', async () => {
    const token = await bigToken();
    const before = await denials();
    await using socket = openSocket(hub.gatewayUrl, { authorization: `Bearer ${token}`, ...testPurpose });
    await socket.run('{ viewer { sub } }').catch(() => undefined);
    expect(await socket.closed).toBe(4403);
    const after = await denials();
    expect(after.length).toBe(before.length + 1);
    expect(after.at(-1)).toMatchObject({ kind: 'DENIAL', outcome: 'DENIED', error_code: 'TOKEN_TOO_LARGE', purpose: testPurpose.purpose });
  });

  it('refuses an oversized officer token at the node too', async () => {
    const token = await bigToken();
    const credential = await mintGatewayCredential(hub.keys.gateway, 'XK', token);
    const result = await graphql(hub.nodes.get('XK')!.url, '{ agency { code } }', {}, { headers: { [officerTokenHeader]: token, authorization: `Bearer ${credential}` } });
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(['TOKEN_TOO_LARGE']);
  });

  it('answers headers too large even for the token limit with a coded 431', async () => {
    const result = await graphql(hub.gatewayUrl, '{ viewer { sub } }', {}, { headers: { 'x-padding': 'x'.repeat(300 * 1024) } });
    expect(result.status).toBe(431);
    expect(codes(result)).toEqual(['REQUEST_TOO_LARGE']);
  });
});

/** The gateway's DENIAL entries, oldest first. */
async function denials() {
  return adminQuery<{ kind: string; outcome: string; error_code: string; purpose: string | null; details: unknown; actor_sub: string | null; client_address: string | null }>(
    hub.hubDatabase.name,
    `select kind, outcome, error_code, purpose, case_reference, details, actor_sub, client_address from audit.entry where kind = 'DENIAL' order by seq`,
  );
}

describe('a WebSocket refused at connection_init leaves a DENIAL entry, as a refused HTTP request does', () => {
  it('logs a missing token and a malformed token, with what the client claimed', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...testPurpose }, 'TOKEN_MISSING'],
      [{ authorization: 'Bearer not.a.token', ...testPurpose }, 'TOKEN_INVALID'],
    ];
    for (const [params, code] of cases) {
      const before = await denials();
      await using socket = openSocket(hub.gatewayUrl, params);
      await socket.run('{ viewer { sub } }').catch(() => undefined);
      expect(await socket.closed).toBe(4403);
      const after = await denials();
      expect(after.length, code).toBe(before.length + 1);
      expect(after.at(-1)).toMatchObject({ kind: 'DENIAL', outcome: 'DENIED', error_code: code, purpose: testPurpose.purpose, actor_sub: null });
    }
  });

  it('writes the same entry for a refused HTTP request and a refused connection_init (one code path)', async () => {
    const before = (await denials()).length;
    await graphql(hub.gatewayUrl, '{ viewer { sub } }', {}, { token: 'not.a.token' });
    const [http] = (await denials()).slice(-1);
    expect((await denials()).length).toBe(before + 1);
    await using socket = openSocket(hub.gatewayUrl, { authorization: 'Bearer not.a.token', ...testPurpose });
    await socket.run('{ viewer { sub } }').catch(() => undefined);
    await socket.closed;
    const [ws] = (await denials()).slice(-1);
    expect((await denials()).length).toBe(before + 2);
    expect(ws).toEqual(http);
    expect(ws!.client_address).toBe('127.0.0.1');
  });
});

describe('an operation refused over graphql-ws is logged as the same refusal over HTTP is', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['an unknown purpose', '{ viewer { sub } }', { purpose: 'CURIOSITY', caseReference: undefined }],
    ['a syntax error', '{ viewer { sub }', {}],
    ['a document over a limit', `{ ${selections(31, (index) => `a${index}: viewer { sub }`)} }`, {}],
  ];
  for (const [what, document, purpose] of cases) {
    it(`logs ${what} once, with the same entry on both transports`, async () => {
      const token = await hub.token('xk-border-officer');
      const declared = { ...testPurpose, ...purpose };
      const before = (await denials()).length;
      const http = await graphql(hub.gatewayUrl, document, {}, { token, purpose: declared.purpose as string, caseReference: (declared.caseReference as string | undefined) ?? null });
      const [httpEntry] = (await denials()).slice(-1);
      await using socket = openSocket(hub.gatewayUrl, { authorization: `Bearer ${token}`, ...declared });
      const ws = await socket.run(document);
      expect(codes(ws as GraphQLResult)).toEqual(codes(http));
      const after = await denials();
      expect(after.length).toBe(before + 2);
      expect(after.at(-1)).toEqual(httpEntry);
      expect(httpEntry!.error_code).toBe(codes(http)[0]);
    });
  }

  it('logs a refused request whose claimed purpose is longer than the log column, instead of failing to log it', async () => {
    const long = `P${'X'.repeat(59)}`;
    const result = await hub.query('xk-border-officer', '{ viewer { sub } }', {}, { purpose: long });
    expect(result.status).not.toBe(503);
    expect(codes(result)).toEqual(['PURPOSE_UNKNOWN']);
    expect((await denials()).at(-1)).toMatchObject({ error_code: 'PURPOSE_UNKNOWN', purpose: long.slice(0, 40) });
  });
});
