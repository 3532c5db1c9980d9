import { serviceJournal } from '../src/audit/auditCollector.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertInput, parseInput } from '../src/domain/alertInput.ts';
import { createAlert } from '../src/node/records/alertRecords.ts';
import { demoUsers } from '../src/demo/demoUsers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { codes, graphql, graphqlOverWebSocket, startTestHub, type GraphQLResult, type TestHub } from './helpers.ts';
import { agreement } from '../src/consent/agreement.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

/** Every table a createAlert writes to, counted: a refused input must leave them all as they were. */
async function footprint(agency = 'XK') {
  const prisma = hub.nodes.get(agency)!.prisma;
  const [alerts, firearms, ammunition, subjects, documents, vehicles, counters] = await Promise.all([
    prisma.alert.count(),
    prisma.firearm.count(),
    prisma.ammunition.count(),
    prisma.subject.count(),
    prisma.identityDocument.count(),
    prisma.vehicle.count(),
    prisma.referenceCounter.findMany(),
  ]);
  return { alerts, firearms, ammunition, subjects, documents, vehicles, counters };
}

const future = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
const firearm = (changes: Record<string, unknown>) => [{ make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65 mm', ...changes }];

const invalidInputs: [string, Record<string, unknown>, string, string][] = [
  ['a serial number with symbols', { firearms: firearm({ serialNumber: '@@##!!' }) }, 'VALIDATION_FAILED', 'input.firearms.0.serialNumber'],
  ['a serial number with a control character', { firearms: firearm({ serialNumber: 'AB\u0000123' }) }, 'VALIDATION_FAILED', 'input.firearms.0.serialNumber'],
  ['a malformed plate', { vehicles: [{ role: 'TRANSPORT', plate: '<script>' }] }, 'VALIDATION_FAILED', 'input.vehicles.0.plate'],
  ['a VIN with the letter O', { vehicles: [{ role: 'TRANSPORT', vin: 'WAUZZZ8K9BAO23456' }] }, 'VALIDATION_FAILED', 'input.vehicles.0.vin'],
  ['an occurrence in the future', { occurredAt: future }, 'VALIDATION_FAILED', 'input.occurredAt'],
  // Year 1 would make the reference XK-ALR-1-000001: no record of this exchange happened before 1900.
  ['an occurrence in year 1', { occurredAt: '0001-01-01T00:00:00.000Z' }, 'VALIDATION_FAILED', 'input.occurredAt'],
  ['an occurrence in 1899', { occurredAt: '1899-12-31T23:59:59.000Z' }, 'VALIDATION_FAILED', 'input.occurredAt'],
  ['a date of birth in the future', { subjects: [{ role: 'SUSPECT', familyName: 'X', givenName: 'Y', dateOfBirth: future.slice(0, 10) }] }, 'VALIDATION_FAILED', 'input.subjects.0.dateOfBirth'],
  ['a negative ammunition quantity', { ammunition: [{ calibre: '9×19 mm', quantity: -5 }] }, 'VALIDATION_FAILED', 'input.ammunition.0.quantity'],
  ['a zero explosive quantity', { explosives: [{ type: 'PLASTIC_EXPLOSIVE', quantity: 0, unit: 'KILOGRAM' }] }, 'VALIDATION_FAILED', 'input.explosives.0.quantity'],
  ['a risk score out of range', { risk: { threat: 9, vulnerability: 1, impact: 1 } }, 'VALIDATION_FAILED', 'input.risk.threat'],
  ['a border crossing location without its crossing point', { location: { kind: 'BORDER_CROSSING_POINT' } }, 'VALIDATION_FAILED', 'input.location.borderCrossing'],
  ['a country code that is not one', { subjects: [{ role: 'SUSPECT', familyName: 'X', givenName: 'Y', nationality: 'Kosovo' }] }, 'VALIDATION_FAILED', 'input.subjects.0.nationality'],
  ['a title of 5,000 characters', { title: 'x'.repeat(5_000) }, 'VALIDATION_FAILED', 'input.title'],
  ['a unit of another agency', { unitCode: 'MK-BP-BLACE' }, 'VALIDATION_FAILED', 'input.unitCode'],
];

describe('bad input is refused with a clear code and changes nothing', () => {
  for (const [what, changes, code, path] of invalidInputs) {
    it(`refuses ${what}`, async () => {
      const before = await footprint();
      // The bad part is mixed with valid items: nothing of the alert may be written.
      const result = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput(changes) });
      expect(codes(result)).toEqual([code]);
      expect(result.errors![0]!.message).toMatch(/^Invalid input: /);
      expect((result.errors![0]!.extensions!.issues as { path: string }[]).map((issue) => issue.path)).toContain(path);
      expect(result.data?.createAlert ?? null).toBeNull();
      expect(await footprint()).toEqual(before);
    });
  }

  it('refuses an unknown enum value in a variable with BAD_USER_INPUT', async () => {
    const before = await footprint();
    const result = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ kind: 'BANANA' }) });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.message).toContain('BANANA');
    expect(await footprint()).toEqual(before);
  });

  it('refuses an unknown enum literal in the document with GRAPHQL_VALIDATION_FAILED', async () => {
    const result = await hub.query('xk-border-officer', `{ alerts(filter: { kinds: [BANANA] }) { totalCount } }`);
    expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('refuses a syntax error with GRAPHQL_PARSE_FAILED', async () => {
    const result = await hub.query('xk-border-officer', `{ alerts(first: ) }`);
    expect(codes(result)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('refuses a request carrying a 1 MB string with REQUEST_TOO_LARGE before parsing it', async () => {
    const before = await footprint();
    const result = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'x'.repeat(1024 * 1024) }) });
    expect(result.status).toBe(413);
    expect(codes(result)).toEqual(['REQUEST_TOO_LARGE']);
    expect(await footprint()).toEqual(before);
  });

  it('refuses a chunked body over the limit without buffering it whole', async () => {
    const token = await hub.token('xk-border-officer');
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 32) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('REQUEST_TOO_LARGE');
  });

  it('rejects documents that try to multiply work with aliases', async () => {
    const aliases = Array.from({ length: 40 }, (_, index) => `a${index}: viewer { sub }`).join(' ');
    const result = await hub.query('xk-border-officer', `{ ${aliases} }`);
    expect(codes(result)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(result.data ?? null).toBeNull();
  });

  it('counts a `first` given as a variable, or as a variable\'s default, against the cost limit as if written in the document', async () => {
    const page = (first: string) => `a: alerts(first: ${first}) { edges { node { summary { firearms { make model serialNumber } ammunition { calibre } } personalData { subjects { familyName documents { number } } vehicles { plate } } } } }`;
    const aliased = (first: string) => Array.from({ length: 8 }, (_, index) => page(first).replace('a:', `a${index}:`)).join(' ');
    const literal = await hub.query('xk-border-officer', `{ ${aliased('100')} }`);
    expect(codes(literal)).toEqual(['QUERY_TOO_COMPLEX']);
    const variable = await hub.query('xk-border-officer', `query($n: Int) { ${aliased('$n')} }`, { n: 100 });
    expect(codes(variable)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(variable.data ?? null).toBeNull();
    const byDefault = await hub.query('xk-border-officer', `query($n: Int = 100) { ${aliased('$n')} }`);
    expect(codes(byDefault)).toEqual(['QUERY_TOO_COMPLEX']);
    // A small page is within the limit, as its literal twin is (one list: the point is the price, not the work).
    const small = await hub.query('xk-border-officer', `query($n: Int) { ${page('$n')} }`, { n: 2 });
    expect(small.errors).toBeUndefined();
    expect(codes(await hub.query('xk-border-officer', `{ ${page('2')} }`))).toEqual([]);
    // Over graphql-ws too.
    const overSocket = await graphqlOverWebSocket(hub.gatewayUrl, `query($n: Int) { ${aliased('$n')} }`, { n: 100 }, { token: await hub.token('xk-border-officer') });
    expect(codes(overSocket as GraphQLResult)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('rolls back the whole alert when the database refuses one part of it', async () => {
    const prisma = hub.nodes.get('XK')!.prisma;
    const before = await footprint();
    const officer = { ...demoUsers['xk-border-officer'], issuer: 'test' };
    const input = parseInput(createAlertInput, { ...alertInput(), occurredAt: new Date('2026-10-02T06:40:00Z'), subjects: [] });
    // Beyond what validation lets through: the last ammunition lot overflows its column.
    input.ammunition.push({ calibre: '9×19 mm', quantity: 2 ** 40 });
    await expect(createAlert(prisma, officer, input, serviceJournal(officer.agency, 'service:test'), agreement)).rejects.toThrow();
    expect(await footprint()).toEqual(before);
  });

  it('gives every refused request a message a person can act on', async () => {
    const unauthenticated = await graphql(hub.gatewayUrl, '{ viewer { sub } }');
    expect(unauthenticated.errors![0]!.message).toMatch(/Authorization: Bearer/);
  });
});
