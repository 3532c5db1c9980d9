import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../src/consent/agreement.ts';
import { caseReferenceHeader, purposeHeader } from '../src/consent/declaredPurpose.ts';
import { startTestHub, type TestHub } from './helpers.ts';

// Generated documents, variables and headers against the running gateway:
// whatever a client sends, the answer is never a 5xx, every error carries a
// stable code, and no request hangs. Fixed seed; every run tries the same
// 2,000 requests.

let hub: TestHub;
let tokens: string[];

beforeAll(async () => {
  hub = await startTestHub();
  const valid = await hub.token('xk-border-officer');
  tokens = [valid, await hub.token('mk-duty-officer'), await hub.token('xk-auditor'), valid.slice(0, -5), `${valid}x`, 'garbage', `Bearer ${valid}`, ''];
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

/** Pieces of real operations, so that many generated documents get past the parser and reach execution. */
const fragments = [
  'viewer { sub agency unit roles }',
  'alerts(first: $n) { totalCount edges { node { id reference access { tier } summary { title } } } }',
  'alerts(first: 5, filter: { kinds: [SEIZURE], riskLevels: [HIGH] }) { totalCount }',
  'alert(id: $id) { reference personalData { subjects { familyName } } }',
  'node(id: $id) { id }',
  'nodes(ids: [$id, $id]) { id }',
  'search(input: { serialNumber: $s }) { outcome hits { match score } }',
  'search(input: $input) { outcome }',
  'traceRequests(first: 3) { totalCount }',
  'consentRequests(filter: { direction: INCOMING }) { totalCount }',
  'agencies { code units { code } }',
  'auditEntries(party: "XK", first: 2) { totalCount }',
  '__typename',
  '__schema { queryType { name } }',
];
const mutations = [
  'createAlert(input: $input) { id }',
  'requestConsent(input: { alertId: $id, tier: FULL, justification: $s }) { id }',
  'revokeConsentGrant(id: $id, reason: $s) { revokedAt }',
  'setSharingPolicy(alertId: $id, input: { handlingCode: H2, rules: [] }) { id }',
];

/** Characters that break things: quotes, braces, NUL, control and bidi characters, look-alikes, emoji. */
const nasty = fc.constantFrom('"', '\\', '{', '}', '$', '\u0000', '\u001b', '\u202e', '\u200b', '\ufeff', 'А', '💥', '\n', '#', '@skip(if: true)', '...', '__proto__');
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[\p{L}\p{N} ?*_-]{0,30}$/u), fc.array(nasty, { maxLength: 8 }).map((parts) => parts.join('')));

const document = fc.oneof(
  // Well-formed operations over real fields, with declared variables.
  fc.tuple(fc.constantFrom('query', 'subscription', ''), fc.uniqueArray(fc.constantFrom(...fragments), { minLength: 1, maxLength: 4 })).map(
    ([kind, fields]) => `${kind} ${kind ? 'Fuzz($n: Int, $id: ID!, $s: String, $input: SearchInput!)' : ''} { ${fields.join(' ')} }`,
  ),
  fc.uniqueArray(fc.constantFrom(...mutations), { minLength: 1, maxLength: 2 }).map((fields) => `mutation Fuzz($id: ID!, $s: String!, $input: CreateAlertInput!) { ${fields.join(' ')} }`),
  // Those same operations damaged: a character inserted or removed somewhere.
  fc.tuple(fc.constantFrom(...fragments), fc.nat(), nasty).map(([field, at, insert]) => {
    const source = `{ ${field} }`;
    const cut = at % source.length;
    return at % 2 ? source.slice(0, cut) + insert + source.slice(cut) : source.slice(0, cut) + source.slice(cut + 1);
  }),
  // Deep, wide and repetitive documents.
  fc.integer({ min: 1, max: 60 }).map((depth) => `{ ${'alerts { edges { node { '.repeat(depth)}id${' } } }'.repeat(depth)} }`),
  fc.integer({ min: 1, max: 80 }).map((count) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: viewer { sub }`).join(' ')} }`),
  text,
);

const variables = fc.oneof(
  fc.constant({}),
  fc.record(
    {
      n: fc.oneof(fc.integer(), fc.constant(1e12), fc.double(), text),
      id: fc.oneof(text, fc.constant('QWxlcnQ6WEs6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw'), fc.integer()),
      s: fc.oneof(text, fc.constant('M70-4?151?')),
      input: fc.oneof(fc.object({ maxDepth: 3 }), fc.record({ plate: text }), fc.record({ serialNumber: text, plate: text })),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

const request = fc.record({
  document,
  variables,
  token: fc.nat({ max: 100 }),
  purpose: fc.oneof(fc.constantFrom(...Object.keys(agreement.purposes), 'constructor', '__proto__', '', 'AUDIT '), text, fc.constant(undefined)),
  caseReference: fc.oneof(fc.constant('XK-MK-2026-0042'), text, fc.constant(undefined)),
  transport: fc.constantFrom('post', 'post', 'post', 'get', 'text'),
  operationName: fc.option(fc.constantFrom('Fuzz', 'Other', ''), { nil: undefined }),
});

/** Header values fetch can send: Latin-1 without control characters. */
const headerSafe = (value: string) => [...value].every((char) => char.charCodeAt(0) >= 0x20 && char.charCodeAt(0) <= 0xff && char.charCodeAt(0) !== 0x7f);

describe('the gateway under generated requests (property)', () => {
  it('never answers 5xx, an uncoded error or not at all, to 2,000 generated documents, variables and headers', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const headers: Record<string, string> = { accept: 'application/graphql-response+json, application/json' };
        const token = tokens[generated.token % tokens.length]!;
        if (token) headers.authorization = `Bearer ${token}`;
        if (generated.purpose !== undefined && headerSafe(generated.purpose)) headers[purposeHeader] = generated.purpose;
        if (generated.caseReference !== undefined && headerSafe(generated.caseReference)) headers[caseReferenceHeader] = generated.caseReference;
        const body = { query: generated.document, variables: generated.variables, ...(generated.operationName !== undefined ? { operationName: generated.operationName } : {}) };
        const url = new URL(hub.gatewayUrl);
        let init: RequestInit;
        if (generated.transport === 'get') {
          url.searchParams.set('query', generated.document);
          url.searchParams.set('variables', JSON.stringify(generated.variables));
          init = { method: 'GET', headers };
        } else {
          init = { method: 'POST', headers: { ...headers, 'content-type': generated.transport === 'text' ? 'text/plain' : 'application/json' }, body: JSON.stringify(body) };
        }
        const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const raw = await response.text();
        expect(response.status, raw.slice(0, 300)).toBeLessThan(500);
        const result = JSON.parse(raw) as { errors?: { message: string; extensions?: { code?: unknown } }[] };
        for (const error of result.errors ?? []) {
          expect(typeof error.extensions?.code, `${error.message} (${generated.document.slice(0, 120)})`).toBe('string');
          expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        }
      }),
      { seed: 20261201, numRuns: 2_000 },
    );
    console.info(`fuzz: HTTP statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The generator reaches refusals and successes alike.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
    expect(statuses.get(401) ?? 0).toBeGreaterThan(50);
  }, 900_000);
});
