import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildSchema, getNamedType, isInputObjectType, isObjectType, isScalarType } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditedInput } from '../src/domain/schema/auditedInputs.ts';
import { normalizeIdentifier, normalizeName, normalizeSerial } from '../src/domain/normalize.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { codes, graphql, graphqlOverWebSocket, startTestHub, type TestHub } from './helpers.ts';

let hub: TestHub;
const audit = { purpose: 'AUDIT', caseReference: null };

const searchQuery = /* GraphQL */ `
  query Search($input: SearchInput!) { search(input: $input) { agency { code } outcome hits { matchedOn } } }
`;
const review = /* GraphQL */ `
  query Review($party: String!, $filter: AuditFilter) {
    auditEntries(party: $party, filter: $filter, first: 100) {
      totalCount
      edges { node { seq kind actorSub operation variables variablesDigest digests { path kind digest } details } }
    }
  }
`;

/** Every party's database, as the superuser: the raw rows, whatever the API shows. */
const databases = () => [
  { party: 'GATEWAY', url: hub.hubDatabase.url, applicationUrl: hub.hubDatabase.applicationUrl },
  ...[...hub.nodes].map(([party, node]) => ({ party, url: node.database.url, applicationUrl: node.database.applicationUrl })),
];

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Every row of every table of every party's audit schema (entries, checkpoints,
 * peers' checkpoints), each as the text of all its columns, lower-cased.
 */
async function everyLogRow(): Promise<{ party: string; seq: string; text: string }[]> {
  const rows = await Promise.all(
    databases().map(({ party, url }) =>
      withClient(url, async (client) => {
        const tables = (await client.query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = 'audit' order by 1`)).rows;
        const all = [];
        for (const { name } of tables) {
          const { rows: texts } = await client.query<{ text: string }>(`select lower(to_jsonb(t)::text) as text from audit.${pg.escapeIdentifier(name)} t`);
          all.push(...texts.map((row, index) => ({ party, seq: name === 'entry' ? String(JSON.parse(row.text).seq) : `${name}#${index}`, text: row.text })));
        }
        return all;
      }),
    ),
  );
  return rows.flat();
}

/** The rows (party:seq) that hold any of the values in clear: as given, without separators, or as the search normalises them. */
async function rowsHolding(values: readonly string[]): Promise<string[]> {
  const needles = [...new Set(values.flatMap((value) => [value, value.replace(/[\s-]/g, '')]).map((value) => value.toLowerCase()))];
  return (await everyLogRow()).filter((row) => needles.some((needle) => row.text.includes(needle))).map((row) => `${row.party}:${row.seq}`);
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('what the logs keep of an operation\u2019s inputs', () => {
  it('is declared for every text and date input of both schemas', () => {
    const unlisted: string[] = [];
    for (const contract of ['gateway', 'node']) {
      const schema = buildSchema(readFileSync(new URL(`../contracts/${contract}.graphql`, import.meta.url), 'utf8'));
      const check = (owner: string, name: string, type: Parameters<typeof getNamedType>[0]) => {
        const named = getNamedType(type);
        if (isScalarType(named) && ['String', 'Date'].includes(named.name) && auditedInput(owner, name) === undefined) unlisted.push(`${contract}: ${owner}.${name}`);
      };
      for (const type of Object.values(schema.getTypeMap())) {
        if (type.name.startsWith('__')) continue;
        if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) check(type.name, field.name, field.type);
        if (isObjectType(type)) {
          for (const field of Object.values(type.getFields())) for (const arg of field.args) check(`${type.name}.${field.name}`, arg.name, arg.type);
        }
      }
    }
    expect(unlisted).toEqual([]);
  });

  it('leaves no searched plate in clear in any party\u2019s log, and an auditor finds the search by the plate in another spelling', async () => {
    const searched = await hub.query('xk-border-officer', searchQuery, { input: { plate: 'KS-417-QW' } });
    expect(searched.errors).toBeUndefined();
    expect(await rowsHolding(['KS-417-QW', normalizeIdentifier('KS-417-QW')])).toEqual([]);

    const oversight = await hub.token({ sub: 'board.member', agency: 'MK', unit: 'MK-DPO', roles: ['oversight'] });
    for (const party of ['GATEWAY', 'XK', 'MK']) {
      for (const filter of [{ term: 'ks 417 qw', termKind: 'PLATE' }, { term: 'кs417qw' }]) {
        const result = await graphql(hub.gatewayUrl, review, { party, filter }, { token: oversight, ...audit });
        expect(result.errors, party).toBeUndefined();
        const entries = result.data!.auditEntries.edges.map((edge: any) => edge.node);
        expect(entries.map((entry: any) => `${entry.actorSub} ${entry.operation}`), `${party} ${JSON.stringify(filter)}`).toEqual([
          'xk.bp.arben.berisha query Search',
        ]);
        expect(entries[0].digests).toEqual([{ path: 'input.plate', kind: 'PLATE', digest: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
      }
    }
    // Another plate finds nothing; the auditor's own searches left no plate either.
    const other = await graphql(hub.gatewayUrl, review, { party: 'GATEWAY', filter: { term: 'KS-417-QX' } }, { token: oversight, ...audit });
    expect(other.data!.auditEntries.totalCount).toBe(0);
    expect(await rowsHolding(['KS-417-QW', 'ks 417 qw', 'кs417qw', 'KS-417-QX'])).toEqual([]);
  });

  it('digests each party with its own key: the same plate has another digest in every log', async () => {
    await hub.query('xk-border-officer', searchQuery, { input: { plate: 'PR-5520-TT' } });
    const digests = await Promise.all(
      databases().map(({ url }) =>
        withClient(url, async (client) => {
          const { rows } = await client.query<{ digest: string }>(
            `select d->>'digest' as digest from audit.entry, jsonb_array_elements(digests) d where d->>'path' = 'input.plate' order by seq desc limit 1`,
          );
          return rows[0]!.digest;
        }),
      ),
    );
    expect(new Set(digests).size).toBe(3);
  });

  it('keeps none of createAlert\u2019s personal data in clear in the gateway\u2019s log or the owner\u2019s', async () => {
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
    expect(created.errors).toBeUndefined();
    const personal = ['Krasniqi', 'Besnik', '1987-04-12', 'P01234567', '01-234-AB', 'WAUZZZ8K9BA123456', 'M70-481516', normalizeSerial('M70-481516'), normalizeName('Krasniqi')];
    const free = [String(alertInput().title), String(alertInput().modusOperandi)];
    expect(await rowsHolding([...personal, ...free])).toEqual([]);
    // What is not personal stays readable while retained, and the auditor finds the record by its subject's name.
    const result = await hub.query('xk-auditor', review, { party: 'GATEWAY', filter: { term: 'Красниќи', termKind: 'NAME' } }, audit);
    expect(result.errors).toBeUndefined();
    const [entry] = result.data!.auditEntries.edges.map((edge: any) => edge.node);
    expect(entry.operation).toBe('mutation Create');
    const clear = JSON.parse(entry.variables);
    expect(clear.input.firearms[0]).toEqual({ make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65×17 mm', countryOfManufacture: 'RS', euCategory: 'B' });
    expect(clear.input.subjects[0]).toEqual({ role: 'DRIVER', documents: [{ kind: 'PASSPORT', issuingCountry: 'XK' }] });
    expect(entry.digests.map((digest: any) => `${digest.path} ${digest.kind}`)).toEqual(
      expect.arrayContaining([
        'input.title TEXT',
        'input.firearms.0.serialNumber SERIAL',
        'input.subjects.0.familyName NAME',
        'input.subjects.0.dateOfBirth DATE_OF_BIRTH',
        'input.subjects.0.documents.0.number DOCUMENT_NUMBER',
        'input.vehicles.0.plate PLATE',
        'input.vehicles.0.vin VIN',
      ]),
    );
  });

  it('digests identifiers written in the document itself, not only in variables', async () => {
    const inline = await hub.query('xk-border-officer', `query Inline { search(input: { serialNumber: "ZK-88412-GH" }) { outcome } }`);
    expect(inline.errors).toBeUndefined();
    expect(await rowsHolding(['ZK-88412-GH', normalizeSerial('ZK-88412-GH')])).toEqual([]);
    const result = await hub.query('xk-auditor', review, { party: 'GATEWAY', filter: { term: 'zk 88412 gh', termKind: 'SERIAL' } }, audit);
    expect(result.data!.auditEntries.edges.map((edge: any) => edge.node.operation)).toEqual(['query Inline']);
  });

  it('refuses the term filter to an officer, over HTTP and over graphql-ws', async () => {
    const variables = { party: 'XK', filter: { term: 'KS-417-QW', termKind: 'PLATE' } };
    const token = await hub.token('xk-border-officer');
    for (const purpose of [audit, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' }]) {
      const overHttp = await graphql(hub.gatewayUrl, review, variables, { token, ...purpose });
      expect(overHttp.data?.auditEntries ?? null).toBeNull();
      expect(codes(overHttp)[0]).toMatch(/^(FORBIDDEN|PURPOSE_NOT_ALLOWED)$/);
      const overSocket = await graphqlOverWebSocket(hub.gatewayUrl, review, variables, { token, ...purpose });
      expect(overSocket.data?.auditEntries ?? null).toBeNull();
      expect(overSocket.errors?.[0]?.extensions?.code).toMatch(/^(FORBIDDEN|PURPOSE_NOT_ALLOWED)$/);
    }
  });
});

describe('property: no searched identifier is ever in clear in a log', () => {
  // Letters beyond "f" so that no identifier can occur by chance in a hex hash or a time.
  const letter = fc.constantFrom(...'GHJKLMNPRSTUVWXYZ');
  const digit = fc.constantFrom(...'0123456789');
  const separator = fc.constantFrom('', '-', ' ');
  const plate = fc.tuple(letter, letter, separator, fc.array(digit, { minLength: 3, maxLength: 4 }), separator, letter, letter).map(
    ([a, b, s1, digits, s2, c, d]) => `${a}${b}${s1}${digits.join('')}${s2}${c}${d}`,
  );
  const serial = fc.tuple(letter, letter, separator, fc.array(digit, { minLength: 5, maxLength: 7 }), letter).map(([a, b, s, digits, c]) => `${a}${b}${s}${digits.join('')}${c}`);
  const documentNumber = fc.tuple(letter, fc.array(digit, { minLength: 7, maxLength: 9 })).map(([a, digits]) => `${a}${digits.join('')}`);
  const name = fc.tuple(letter, fc.array(fc.constantFrom(...'aeiouvrtknm'), { minLength: 5, maxLength: 9 }), letter).map(([first, rest, last]) => `${first}${rest.join('')}${last.toLowerCase()}z`);
  const criterion = fc.oneof(
    plate.map((value) => ({ input: { plate: value }, values: [value, normalizeIdentifier(value)] })),
    serial.map((value) => ({ input: { serialNumber: value }, values: [value, normalizeSerial(value)] })),
    documentNumber.map((value) => ({ input: { documentNumber: value }, values: [value] })),
    fc.tuple(name, name).map(([familyName, givenName]) => ({ input: { person: { familyName, givenName } }, values: [familyName, givenName, normalizeName(familyName), normalizeName(givenName)] })),
  );

  it('searches through the gateway leave none of their terms in clear in any row of any party', async () => {
    await fc.assert(
      fc.asyncProperty(criterion, async ({ input, values }) => {
        const result = await hub.query('mk-border-officer', searchQuery, { input });
        expect(result.errors).toBeUndefined();
        expect(await rowsHolding(values)).toEqual([]);
      }),
      { seed: 20261201, numRuns: 25 },
    );
  });

  // Every kind of entry an officer's identifier can reach: the gateway's consultation and its refusal, the
  // owner's disclosure, and the CHANGE entries of a watch entry's registration and removal at every node.
  const watched = fc.oneof(
    plate.map((value) => ({ input: { plate: value, plateCountry: 'XK' }, search: { plate: value }, values: [value, normalizeIdentifier(value)] })),
    serial.map((value) => ({ input: { serialNumber: value }, search: { serialNumber: value }, values: [value, normalizeSerial(value)] })),
    documentNumber.map((value) => ({ input: { documentNumber: value }, search: { documentNumber: value }, values: [value] })),
    fc.array(fc.constantFrom(...'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'), { minLength: 17, maxLength: 17 }).map((chars) => {
      // Starting with a letter beyond "f": no VIN can be a piece of a hex hash.
      const value = `W${chars.slice(1).join('')}`;
      return { input: { vin: value }, search: { vin: value }, values: [value] };
    }),
    fc.tuple(name, name, fc.date({ min: new Date('1940-01-01T00:00:00Z'), max: new Date('1999-12-31T00:00:00Z'), noInvalidDate: true })).map(([familyName, givenName, born]) => {
      const person = { familyName, givenName, dateOfBirth: born.toISOString().slice(0, 10) };
      return { input: { person }, search: { person }, values: [familyName, givenName, person.dateOfBirth, normalizeName(familyName), normalizeName(givenName)] };
    }),
  );
  const watch = /* GraphQL */ `mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`;
  const unwatch = /* GraphQL */ `mutation Unwatch($id: ID!) { removeWatchEntry(id: $id) { id status } }`;

  it('searches, refusals, and watch entries registered and removed leave no identifier in clear in any column of any audit table', async () => {
    const kinds = new Set<string>();
    const expiresAt = new Date(Date.now() + 10 * 864e5).toISOString();
    await fc.assert(
      fc.asyncProperty(watched, async ({ input, search, values }) => {
        const [before] = await rowsOf('select max(seq) as seq from audit.entry');
        expect((await hub.query('mk-border-officer', searchQuery, { input: search })).errors).toBeUndefined();
        // A verified officer without a declared purpose: a DENIAL, with the variables it was refused.
        const refused = await graphql(hub.gatewayUrl, searchQuery, { input: search }, { token: await hub.token('mk-border-officer'), purpose: null });
        expect(codes(refused)).toEqual(['PURPOSE_REQUIRED']);
        const created = await hub.query('mk-border-officer', watch, { input: { ...input, expiresAt } });
        expect(created.errors).toBeUndefined();
        const removed = await hub.query('mk-border-officer', unwatch, { id: created.data!.createWatchEntry.id });
        expect(removed.data?.removeWatchEntry.status).toBe('REMOVED');
        expect(await rowsHolding(values)).toEqual([]);
        for (const row of await rowsOf('select kind from audit.entry where seq > $1', [before!.seq ?? 0])) kinds.add(row.kind);
      }),
      { seed: 20261205, numRuns: 10 },
    );
    // The gateway's own kinds; the nodes' were checked by the same rows (DISCLOSURE, CHANGE).
    expect([...kinds].sort()).toEqual(['CONSULTATION', 'DENIAL']);
    for (const node of ['XK', 'MK']) {
      const nodeKinds = await withClient(hub.nodes.get(node)!.database.url, async (client) => (await client.query('select distinct kind from audit.entry order by 1')).rows.map((row) => row.kind));
      expect(nodeKinds, node).toEqual(expect.arrayContaining(['CHANGE', 'DISCLOSURE']));
    }
  }, 240_000);
});

/** Rows of the gateway's log. */
const rowsOf = (sql: string, params: unknown[] = []) => withClient(hub.hubDatabase.url, async (client) => (await client.query(sql, params)).rows);
