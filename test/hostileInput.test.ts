import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purposeHeader } from '../src/consent/declaredPurpose.ts';
import { mintGatewayCredential } from '../src/identity/gatewayCredential.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, demoUsers, graphql, openSocket, startTestHub, testPurpose, type GraphQLResult, type TestHub } from './helpers.ts';

let hub: TestHub;
let alertId: string;
let consentRequestId: string;
let grantId: string;

const requestConsent = `mutation($input: ConsentRequestInput!) { requestConsent(input: $input) { id } }`;
const decide = `mutation($id: ID!, $input: ConsentDecisionInput!) { decideConsentRequest(id: $id, input: $input) { id grant { id } } }`;
const revoke = `mutation($id: ID!, $reason: String!) { revokeConsentGrant(id: $id, reason: $reason) { id revokedAt } }`;
const setPolicy = `mutation($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }`;
const policyQuery = `query($id: ID!) { alert(id: $id) { sharingPolicy { handlingCode handlingConditions rules { partnerAgency purposes } } } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

beforeAll(async () => {
  hub = await startTestHub();
  const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  alertId = created.data!.createAlert.id;
  const requested = await hub.query('mk-liaison', requestConsent, {
    input: { alertId, tier: 'SUMMARY', justification: 'Cross-check of the serials against our seizure in Tetovo.' },
  });
  consentRequestId = requested.data!.requestConsent.id;
  const other = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  const second = await hub.query('mk-border-officer', requestConsent, {
    input: { alertId: other.data!.createAlert.id, tier: 'FULL', justification: 'The driver is a suspect in our investigation.' },
  });
  if (!second.data) throw new Error(JSON.stringify(second.errors));
  const granted = await hub.query('xk-duty-officer', decide, {
    id: second.data!.requestConsent.id,
    input: { decision: 'GRANT', tier: 'FULL', expiresAt: inDays(10), reason: 'Joint investigation.' },
  });
  grantId = granted.data!.decideConsentRequest.grant.id;
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

/** Runs an operation over a fresh graphql-ws connection of a demo user. */
async function overSocket(user: DemoUserName, query: string, variables: Record<string, unknown> = {}, purpose = testPurpose) {
  await using socket = openSocket(hub.gatewayUrl, { authorization: `Bearer ${await hub.token(user)}`, ...purpose });
  return await socket.run(query, variables);
}

/** Calls a node the way the gateway does, with its credential, and a purpose of the caller's choice. */
async function atNode(agency: string, query: string, purpose: string) {
  const officerToken = await hub.token('xk-border-officer');
  const credential = await mintGatewayCredential(hub.keys.gateway, agency, officerToken);
  return graphql(hub.nodes.get(agency)!.url, query, {}, {
    purpose: null,
    caseReference: null,
    headers: { [officerTokenHeader]: officerToken, authorization: `Bearer ${credential}`, [purposeHeader]: purpose },
  });
}

const issuePaths = (result: Omit<GraphQLResult, 'status'>) =>
  (result.errors ?? []).flatMap((error) => ((error.extensions?.issues as { path: string }[] | undefined) ?? []).map((issue) => issue.path));

// Names every JavaScript object inherits: a lookup in a plain object finds them without any purpose being declared.
const inheritedNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

describe('keys from clients are looked up as own properties only', () => {
  for (const name of inheritedNames) {
    it(`refuses the purpose "${name}" with PURPOSE_UNKNOWN over HTTP, over graphql-ws and at the node`, async () => {
      const http = await hub.query('xk-border-officer', '{ viewer { sub } }', {}, { purpose: name, caseReference: null });
      expect(codes(http)).toEqual(['PURPOSE_UNKNOWN']);
      const ws = await overSocket('xk-border-officer', '{ viewer { sub } }', {}, { purpose: name, caseReference: undefined as never });
      expect(codes(ws as GraphQLResult)).toEqual(['PURPOSE_UNKNOWN']);
      const node = await atNode('XK', '{ agency { code } }', name);
      expect(codes(node)).toEqual(['PURPOSE_UNKNOWN']);
    });

    it(`refuses a sharing policy for the purpose "${name}" and keeps the policy`, async () => {
      const before = await hub.query('xk-border-officer', policyQuery, { id: alertId });
      const result = await hub.query('xk-border-officer', setPolicy, {
        id: alertId,
        input: { handlingCode: 'H1', rules: [{ partnerAgency: 'MK', tier: 'SUMMARY', purposes: [name], expiresAt: inDays(10) }] },
      });
      expect(codes(result)).toEqual(['VALIDATION_FAILED']);
      expect(issuePaths(result)).toEqual(['input.rules.0.purposes.0']);
      expect(await hub.query('xk-border-officer', policyQuery, { id: alertId })).toEqual(before);
    });
  }
});

describe('NUL in any text input is VALIDATION_FAILED naming the field, at gateway and node', () => {
  const nul = 'Cross-check\u0000 of the serials';
  const cases: { what: string; user: DemoUserName; query: string; variables: () => Record<string, unknown>; path: string }[] = [
    {
      what: 'a consent justification',
      user: 'mk-border-officer',
      query: requestConsent,
      variables: () => ({ input: { alertId, tier: 'FULL', justification: nul } }),
      path: 'input.justification',
    },
    {
      what: 'the reason of a consent decision',
      user: 'xk-duty-officer',
      query: decide,
      variables: () => ({ id: consentRequestId, input: { decision: 'REFUSE', reason: nul } }),
      path: 'input.reason',
    },
    { what: 'the reason of a revocation', user: 'xk-duty-officer', query: revoke, variables: () => ({ id: grantId, reason: nul }), path: 'reason' },
    {
      what: 'handling conditions',
      user: 'xk-border-officer',
      query: setPolicy,
      variables: () => ({ id: alertId, input: { handlingCode: 'H3', handlingConditions: nul } }),
      path: 'input.handlingConditions',
    },
    {
      what: 'an alert title',
      user: 'xk-border-officer',
      query: createAlertMutation,
      variables: () => ({ input: alertInput({ title: nul }) }),
      path: 'input.title',
    },
    {
      what: 'a search name',
      user: 'mk-border-officer',
      query: `query($input: SearchInput!) { search(input: $input) { outcome } }`,
      variables: () => ({ input: { person: { familyName: nul, givenName: 'Besnik' } } }),
      path: 'input.person.familyName',
    },
    {
      what: 'an audit filter',
      user: 'xk-auditor',
      query: `query($filter: AuditFilter) { auditEntries(party: "XK", filter: $filter) { totalCount } }`,
      variables: () => ({ filter: { actorSub: nul } }),
      path: 'filter.actorSub',
    },
    {
      what: 'a string literal in the document',
      user: 'xk-auditor',
      query: `{ auditEntries(party: "XK", filter: { caseReference: "A\\u0000B" }) { totalCount } }`,
      variables: () => ({}),
      path: 'filter.caseReference',
    },
  ];
  for (const { what, user, query, variables, path } of cases) {
    it(`refuses NUL in ${what} over HTTP and graphql-ws, logs each refusal alike and changes nothing`, async () => {
      const before = { consents: await hub.nodes.get('XK')!.prisma.consentRequest.count(), alerts: await hub.nodes.get('XK')!.prisma.alert.count() };
      const denials = () =>
        adminQuery<{ kind: string; outcome: string; error_code: string; actor_sub: string; variables: unknown; purpose: string }>(
          hub.hubDatabase.name,
          `select kind, outcome, error_code, actor_sub, variables, purpose from audit.entry where kind = 'DENIAL' order by seq`,
        );
      const logged = (await denials()).length;
      const http = await hub.query(user, query, variables());
      expect(codes(http), JSON.stringify(http.errors)).toEqual(['VALIDATION_FAILED']);
      expect(issuePaths(http)).toEqual([path]);
      const ws = await overSocket(user, query, variables());
      expect(codes(ws as GraphQLResult)).toEqual(['VALIDATION_FAILED']);
      expect(issuePaths(ws)).toEqual([path]);
      const entries = (await denials()).slice(logged);
      expect(entries).toHaveLength(2);
      expect(entries[0]).toEqual(entries[1]);
      expect(entries[0]).toMatchObject({ error_code: 'VALIDATION_FAILED', actor_sub: demoUsers[user].sub, purpose: testPurpose.purpose });
      expect({ consents: await hub.nodes.get('XK')!.prisma.consentRequest.count(), alerts: await hub.nodes.get('XK')!.prisma.alert.count() }).toEqual(before);
    });
  }

  it('refuses NUL at the node itself, before anything reaches its database', async () => {
    const officerToken = await hub.token('xk-border-officer');
    const credential = await mintGatewayCredential(hub.keys.gateway, 'XK', officerToken);
    const direct = await graphql(hub.nodes.get('XK')!.url, `{ search(input: { person: { familyName: "Kras\\u0000niqi", givenName: "Besnik" } }) { matchedOn } }`, {}, {
      headers: { [officerTokenHeader]: officerToken, authorization: `Bearer ${credential}` },
    });
    expect(codes(direct)).toEqual(['VALIDATION_FAILED']);
    expect(issuePaths(direct)).toEqual(['input.person.familyName']);
  });
});

describe('a lone surrogate, half of a character, is refused wherever text comes in', () => {
  it('refuses it in a title and a search name, over HTTP and at the node, and stores nothing', async () => {
    const prisma = hub.nodes.get('XK')!.prisma;
    const before = await prisma.alert.count();
    for (const lone of ['\uD800', '\uDFFF', 'Pistol \uDBFF concealed']) {
      const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: lone }) });
      expect(codes(created), JSON.stringify(lone)).toEqual(['VALIDATION_FAILED']);
      expect(issuePaths(created)).toEqual(['input.title']);
      expect(created.errors![0]!.message).toMatch(/lone surrogate/);
      const searched = await hub.query('xk-border-officer', `query($name: String!) { search(input: { person: { familyName: $name, givenName: "Besnik" } }) { outcome } }`, { name: lone });
      expect(codes(searched)).toEqual(['VALIDATION_FAILED']);
      expect(issuePaths(searched)).toEqual(['input.person.familyName']);
    }
    // A pair of surrogates is one character (here U+1F52B), and welcome.
    const paired = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'Pistol \uD83D\uDD2B concealed' }) });
    expect(paired.errors).toBeUndefined();
    expect(paired.data!.createAlert.summary.title).toBe('Pistol \u{1F52B} concealed');
    const officerToken = await hub.token('xk-border-officer');
    const credential = await mintGatewayCredential(hub.keys.gateway, 'XK', officerToken);
    const direct = await graphql(hub.nodes.get('XK')!.url, `mutation($input: CreateAlertInput!) { createAlert(input: $input) { id } }`, { input: alertInput({ title: '\uD800' }) }, {
      headers: { [officerTokenHeader]: officerToken, authorization: `Bearer ${credential}` },
    });
    expect(codes(direct)).toEqual(['VALIDATION_FAILED']);
    expect(await prisma.alert.count()).toBe(before + 1);
  });
});

describe('malformed JSON in GET parameters is a client error', () => {
  const cases = [
    ['variables', `query=${encodeURIComponent('{viewer{sub}}')}&variables=${encodeURIComponent('{"a":')}`],
    ['extensions', `query=${encodeURIComponent('{viewer{sub}}')}&extensions=nojson`],
  ] as const;
  for (const [what, search] of cases) {
    it(`answers 400 BAD_REQUEST for malformed ${what}, at the gateway and at a node`, async () => {
      const token = await hub.token('xk-border-officer');
      for (const url of [hub.gatewayUrl, hub.nodes.get('XK')!.url]) {
        const response = await fetch(`${url.href}?${search}`, {
          headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${token}`, [purposeHeader]: 'BORDER_CONTROL' },
        });
        expect(response.status).toBe(400);
        const body = (await response.json()) as GraphQLResult;
        expect(codes(body)).toEqual(['BAD_REQUEST']);
        expect(body.errors![0]!.message).toContain(what);
      }
    });
  }
});

describe('characters that disguise text are refused where they do not belong', () => {
  const refusedEverywhere = [
    ['a C1 control (CSI)', '\u009b'],
    ['a C1 next-line', '\u0085'],
    ['a right-to-left override', '\u202e'],
    ['a left-to-right embedding', '\u202a'],
    ['a first-strong isolate', '\u2068'],
    ['a pop directional isolate', '\u2069'],
    ['a zero-width space', '\u200b'],
    ['a word joiner', '\u2060'],
    ['a byte-order mark', '\ufeff'],
  ] as const;
  for (const [what, character] of refusedEverywhere) {
    it(`refuses ${what} in a title and in a modus operandi, and says which character`, async () => {
      const code = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      for (const field of ['title', 'modusOperandi']) {
        const result = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ [field]: `Pistols${character} in a spare wheel` }) });
        expect(codes(result)).toEqual(['VALIDATION_FAILED']);
        expect(issuePaths(result)).toEqual([`input.${field}`]);
        expect(result.errors![0]!.message).toContain(code);
      }
    });
  }

  it('refuses a zero-width joiner in an identifier-like field but keeps it in long free text, where scripts need it', async () => {
    const title = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'Pistols\u200d in a spare wheel' }) });
    expect(codes(title)).toEqual(['VALIDATION_FAILED']);
    expect(issuePaths(title)).toEqual(['input.title']);
    const free = await hub.query('xk-border-officer', createAlertMutation, {
      input: alertInput({ modusOperandi: 'Note in the driver’s hand: “ک\u200cه” (Persian, with a zero-width non-joiner).\nSecond line.' }),
    });
    expect(free.errors).toBeUndefined();
    expect(free.data!.createAlert.id).toEqual(expect.any(String));
  });

  it('refuses a bidi override in a consent justification over graphql-ws too', async () => {
    const variables = { input: { alertId, tier: 'FULL', justification: 'Needed for case \u202eKM-KX\u202c, urgent.' } };
    const ws = await overSocket('mk-border-officer', requestConsent, variables);
    expect(codes(ws as GraphQLResult)).toEqual(['VALIDATION_FAILED']);
    expect(issuePaths(ws)).toEqual(['input.justification']);
  });
});

describe('a form-encoded POST is a client error too', () => {
  it('is refused as a media type before its parameters are read (415)', async () => {
    const token = await hub.token('xk-border-officer');
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/graphql-response+json', authorization: `Bearer ${token}`, [purposeHeader]: 'BORDER_CONTROL' },
      body: new URLSearchParams({ query: '{ viewer { sub } }', variables: '{"a":' }).toString(),
    });
    expect(response.status).toBe(415);
    const body = (await response.json()) as GraphQLResult;
    expect(codes(body)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
  });
});

describe('a cursor must be one the API issued, to the last character', () => {
  // Well-formed JSON in the cursor's shape, but naming no record: the id is not a UUID.
  const nodeCursor = (id: unknown) => Buffer.from(JSON.stringify(['2026-11-01T00:00:00.000Z', id])).toString('base64url');
  const mergedCursor = (after: string) => Buffer.from(JSON.stringify({ v: 2, s: { XK: { after, done: false, total: 1 } } })).toString('base64url');
  const lists = [
    ['alerts', (after: string) => `{ alerts(first: 2, after: ${JSON.stringify(after)}) { totalCount } }`, 'xk-border-officer'],
    ['consentRequests', (after: string) => `{ consentRequests(first: 2, after: ${JSON.stringify(after)}, filter: { direction: INCOMING }) { totalCount } }`, 'xk-duty-officer'],
    ['traceRequests', (after: string) => `{ traceRequests(first: 2, after: ${JSON.stringify(after)}) { totalCount } }`, 'xk-border-officer'],
    ['watchEntries', (after: string) => `{ watchEntries(first: 2, after: ${JSON.stringify(after)}) { edges { cursor } } }`, 'xk-border-officer'],
  ] as const;
  const badIds = ["x' or '1'='1", 'not-a-uuid', 42] as const;

  for (const [list, query, user] of lists) {
    it(`refuses a malformed id in a cursor of ${list} with VALIDATION_FAILED, at the gateway and at the node`, async () => {
      for (const id of badIds) {
        const viaGateway = await hub.query(user, query(mergedCursor(nodeCursor(id))));
        expect(codes(viaGateway), `${list} ${id} via the gateway`).toEqual(['VALIDATION_FAILED']);
        expect(viaGateway.errors![0]!.message).toMatch(/not a cursor returned by this API/);
        const officerToken = await hub.token(user);
        const credential = await mintGatewayCredential(hub.keys.gateway, 'XK', officerToken);
        const atTheNode = await graphql(hub.nodes.get('XK')!.url, query(nodeCursor(id)), {}, {
          headers: { [officerTokenHeader]: officerToken, authorization: `Bearer ${credential}` },
        });
        expect(codes(atTheNode), `${list} ${id} at the node`).toEqual(['VALIDATION_FAILED']);
      }
    });
  }

  it('refuses a merged cursor naming an agency outside the exchange, or carrying a malformed cursor of any agency', async () => {
    const foreign = Buffer.from(JSON.stringify({ v: 2, s: { ZZ: { after: nodeCursor('not-a-uuid'), done: false, total: 0 } } })).toString('base64url');
    expect(codes(await hub.query('xk-border-officer', lists[0][1](foreign)))).toEqual(['VALIDATION_FAILED']);
    const garbage = mergedCursor('%%%');
    expect(codes(await hub.query('xk-border-officer', lists[0][1](garbage)))).toEqual(['VALIDATION_FAILED']);
  });

  it('refuses a malformed id in a jointOperations cursor with VALIDATION_FAILED', async () => {
    const result = await hub.query('xk-liaison', `{ jointOperations(first: 2, after: ${JSON.stringify(nodeCursor('not-a-uuid'))}) { totalCount } }`);
    expect(codes(result)).toEqual(['VALIDATION_FAILED']);
  });
});
