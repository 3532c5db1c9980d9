// What leaves an owner's node for a client's query, seen on the wire: a
// recording proxy (a real HTTP server on port 0) stands between the gateway
// and each real node and keeps every document the gateway sent and every body
// the node answered. The node is asked, and answers, what the officer selected;
// its disclosure entry names that very document; and the client's answers are
// those a full selection gives, over a table of documents.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { parse, print, TypeInfo, visit, visitWithTypeInfo, Kind, getNamedType, type SelectionSetNode, type InlineFragmentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../src/gateway/globalId.ts';
import { alertContentSelection } from '../src/gateway/nodeOperations.ts';
import { gatewaySchema } from '../src/gateway/schema/index.ts';
import { adminQuery, graphqlOverWebSocket, startTestHub, type TestHub } from './helpers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';

interface Exchange {
  agency: string;
  query: string;
  body: string;
}

/** A pass-through HTTP proxy in front of a node that records each exchange. */
async function recordingProxy(agency: string, target: URL, log: Exchange[], servers: Server[]): Promise<URL> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const requestBody = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name, value]) => typeof value === 'string' && !['host', 'connection', 'content-length', 'keep-alive'].includes(name)),
    ) as Record<string, string>;
    const answer = await fetch(target, { method: request.method, headers, body: request.method === 'POST' ? requestBody : undefined });
    const body = await answer.text();
    if (request.method === 'POST') log.push({ agency, query: (JSON.parse(requestBody) as { query: string }).query, body });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return new URL(`http://127.0.0.1:${address.port}${target.pathname}`);
}

/** The personal data of the fixture's subject, document and vehicle: none of it may leave the node unasked. */
const personal = ['Krasniqi', 'Besnik', 'P01234567', '01-234-AB', 'WAUZZZ8K9BA123456'];

/** Every field name a document selects, anywhere. */
function selectedNames(document: string): Set<string> {
  const names = new Set<string>();
  visit(parse(document), { Field: (field) => void names.add(field.name.value) });
  return names;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let hub: TestHub;
const exchanges: Exchange[] = [];
const proxies: Server[] = [];
let xkAlert: { id: string; localId: string; reference: string };

beforeAll(async () => {
  hub = await startTestHub({ routeNode: (agency, url) => recordingProxy(agency, url, exchanges, proxies) });
  const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  expect(created.errors).toBeUndefined();
  xkAlert = created.data!.createAlert;
  const partner = await hub.query('mk-border-officer', createAlertMutation, {
    input: alertInput({ title: 'MK seizure at Blace', subjects: [], vehicles: [], firearms: [{ make: 'CZ', model: '75', type: 'PISTOL', calibre: '9 mm', serialNumber: 'CZ-7755' }] }),
  });
  expect(partner.errors).toBeUndefined();
  const lookout = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ kind: 'LOOKOUT_VEHICLE', title: 'Courier expected', subjects: [] }) });
  expect(lookout.errors).toBeUndefined();
});

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
  await Promise.all(proxies.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Runs `run` and resolves with what XK's node was asked and answered meanwhile for the named node operation. */
async function exchangesDuring(operation: string, run: () => Promise<unknown>): Promise<Exchange[]> {
  const from = exchanges.length;
  await run();
  return exchanges.slice(from).filter((exchange) => exchange.agency === 'XK' && new RegExp(`^\\s*query ${operation}\\b`).test(exchange.query));
}

/** The XK node's disclosure entry for the document it was sent. */
async function disclosureOf(document: string) {
  const rows = await adminQuery(hub.nodes.get('XK')!.database.name, `select * from audit.entry where kind = 'DISCLOSURE' and document_hash = $1 order by seq desc`, [sha256(document)]);
  expect(rows.length, 'the node logged the disclosure of the document it was sent').toBeGreaterThan(0);
  return rows[0]!;
}

describe('the owner’s node is asked for, answers and logs what the officer selected', () => {
  const onlyReference = '{ alerts(first: 5) { edges { node { reference } } } }';

  for (const [transport, send] of [
    ['HTTP', async (query: string, variables = {}) => hub.query('xk-border-officer', query, variables)],
    ['graphql-ws', async (query: string, variables = {}) => graphqlOverWebSocket(hub.gatewayUrl, query, variables, { token: await hub.token('xk-border-officer') })],
  ] as const) {
    it(`over ${transport}: a client asking only reference gets no personal data from the node, in its answer or its disclosure log`, async () => {
      let result: any;
      const [exchange, ...more] = await exchangesDuring('Alerts', async () => (result = await send(onlyReference)));
      expect(result.errors).toBeUndefined();
      expect(result.data.alerts.edges.map((edge: any) => edge.node.reference)).toContain(xkAlert.reference);
      expect(more).toEqual([]);

      for (const field of ['personalData', 'sharingPolicy', 'summary', 'contactPoint', 'subjects', 'vehicles']) {
        expect(selectedNames(exchange!.query), `the gateway asked for ${field}`).not.toContain(field);
        expect(exchange!.body, `the node sent ${field}`).not.toContain(`"${field}"`);
      }
      for (const value of personal) expect(exchange!.body).not.toContain(value);
      const nodes = (JSON.parse(exchange!.body) as any).data.alerts.edges.map((edge: any) => edge.node);
      expect(nodes.find((node: any) => node.reference === xkAlert.reference)).toMatchObject({ id: xkAlert.localId, owner: 'XK', access: { tier: 'FULL' } });

      const entry = await disclosureOf(exchange!.query);
      expect(entry.records).toEqual(expect.arrayContaining([expect.objectContaining({ reference: xkAlert.reference, tier: 'FULL' })]));
      for (const value of personal) expect(JSON.stringify(entry)).not.toContain(value);
    });
  }

  it('alert(id) asking for the subjects’ names gets those, and not their documents nor the vehicles', async () => {
    let result: any;
    const [exchange] = await exchangesDuring('Alert', async () => {
      result = await hub.query('xk-border-officer', 'query($id: ID!) { alert(id: $id) { reference personalData { subjects { familyName } } } }', { id: xkAlert.id });
    });
    expect(result.data.alert.personalData.subjects).toEqual([{ familyName: 'Krasniqi' }]);
    expect(exchange!.body).toContain('Krasniqi');
    for (const value of ['Besnik', 'P01234567', '01-234-AB', 'WAUZZZ8K9BA123456']) expect(exchange!.body).not.toContain(value);
    expect(selectedNames(exchange!.query)).not.toContain('sharingPolicy');
    await disclosureOf(exchange!.query);
  });

  it('node(id) with fragments on Node and Alert asks for the fields of the fragments that apply to an alert', async () => {
    const [exchange] = await exchangesDuring('Alert', async () => {
      const result = await hub.query(
        'xk-border-officer',
        'query($id: ID!) { node(id: $id) { id ...A ... on TraceRequest { question } } } fragment A on Alert { kind summary { title } }',
        { id: xkAlert.id },
      );
      expect(result.data!.node).toMatchObject({ id: xkAlert.id, kind: 'SEIZURE', summary: { title: alertInput().title } });
    });
    const names = selectedNames(exchange!.query);
    expect(names).toContain('title');
    for (const field of ['personalData', 'sharingPolicy', 'firearms', 'question']) expect(names).not.toContain(field);
  });
});

// ─── Same answers as a full selection ───────────────────────────────────────

/** The full selection of an alert, each field under an alias of its own, so that adding it changes no field the client asked for. */
const fullAlert: InlineFragmentNode = (() => {
  const fields = (parse(`{ ... on Alert { id localId owner { code name } ${alertContentSelection} } }`).definitions[0] as { selectionSet: SelectionSetNode })
    .selectionSet.selections[0] as InlineFragmentNode;
  return {
    ...fields,
    selectionSet: {
      ...fields.selectionSet,
      selections: fields.selectionSet.selections.map((field) => field.kind === Kind.FIELD ? { ...field, alias: { kind: Kind.NAME, value: `oracle_${field.name.value}` } } : field),
    },
  };
})();

/**
 * The document with the full alert added wherever it selects alerts (Alert and
 * Node positions): the gateway must then ask the nodes for everything, as it
 * did before it forwarded selections, and answer the client's own fields from that.
 */
function withFullAlerts(document: string): string {
  const typeInfo = new TypeInfo(gatewaySchema);
  return print(
    visit(
      parse(document),
      visitWithTypeInfo(typeInfo, {
        SelectionSet: {
          // Once per field returning alerts (not again in its fragments: graphql-armor allows 30 aliases a document).
          leave(node, _key, parent) {
            const type = typeInfo.getParentType();
            if (!type || !['Alert', 'Node'].includes(getNamedType(type).name) || (parent as { kind?: string } | undefined)?.kind !== Kind.FIELD) return undefined;
            return { ...node, selections: [...node.selections, fullAlert] };
          },
        },
      }),
    ),
  );
}

/** An answer without the fields withFullAlerts added. */
function withoutOracle(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutOracle);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('oracle_')).map(([key, field]) => [key, withoutOracle(field)]));
  }
  return value;
}

const documents: [string, string, (ids: { xk: string }) => Record<string, unknown>][] = [
  ['connection fields the gateway computes', '{ alerts(first: 3) { totalCount unavailableAgencies pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id __typename } } } }', () => ({})],
  [
    'fragments, aliases of one field, owner and access',
    'query($first: Int!) { alerts(first: $first) { edges { node { ...A recent: summary { title } risk: summary { risk { level } } } } } } fragment A on Alert { localId owner { code name } access { tier basis grantId validUntil } }',
    () => ({ first: 4 }),
  ],
  [
    '@include and @skip with a variable set',
    'query($persons: Boolean!) { alerts(first: 4, filter: { kinds: [SEIZURE] }) { edges { node { reference personalData @include(if: $persons) { subjects { familyName } } summary @skip(if: $persons) { title } } } } }',
    () => ({ persons: true }),
  ],
  [
    '@include and @skip with a variable unset',
    'query($persons: Boolean!) { alerts(first: 4, filter: { kinds: [SEIZURE] }) { edges { node { reference personalData @include(if: $persons) { subjects { familyName } } summary @skip(if: $persons) { title } } } } }',
    () => ({ persons: false }),
  ],
  ['a variable in a nested argument', 'query($kinds: [AlertKind!]) { alerts(first: 5, filter: { kinds: $kinds }) { totalCount edges { node { reference kind } } } }', () => ({ kinds: ['LOOKOUT_VEHICLE'] })],
  [
    'two aliases of alerts with different arguments',
    '{ a: alerts(first: 1) { edges { node { reference } } } b: alerts(first: 2, filter: { kinds: [SEIZURE] }) { totalCount edges { node { kind summary { title firearms { serialNumber } } } } } }',
    () => ({}),
  ],
  ['alert(id) through Node and Alert fragments', 'query($id: ID!) { alert(id: $id) { id ... on Node { id } ... on Alert { kind contactPoint { phone } } } }', ({ xk }) => ({ id: xk })],
  [
    'node and nodes with fragments on both types',
    'query($id: ID!, $ids: [ID!]!) { node(id: $id) { __typename ... on Alert { reference summary { firearms { serialNumber } } } ... on TraceRequest { question } } nodes(ids: $ids) { id ... on Alert { status personalData { vehicles { plate } } } } }',
    ({ xk }) => ({ id: xk, ids: [xk, xk] }),
  ],
  [
    'search hits',
    '{ search(input: { serialNumber: "M70-481516" }) { outcome agency { code } hits { matchedOn score alert { reference access { tier } summary { firearms { serialNumber } } } } } }',
    () => ({}),
  ],
  ['nested __typename and an object whose fields are all skipped', '{ alerts(first: 3) { edges { node { summary { __typename title @skip(if: true) } access { __typename } } } } }', () => ({})],
];

describe('the client gets the same answers as from a full selection', () => {
  for (const user of ['xk-border-officer', 'mk-border-officer'] as const) {
    it.each(documents)(`${user}: %s`, async (_name, document, variablesOf) => {
      const variables = variablesOf({ xk: xkAlert.id });
      const full = await hub.query(user, withFullAlerts(document), variables);
      const asked = await hub.query(user, document, variables);
      expect(full.errors).toBeUndefined();
      expect(asked.errors).toBeUndefined();
      expect(asked.data).toEqual(withoutOracle(full.data));
    });
  }
});

it('the oracle adds the full alert: every field of the node’s alert is asked when it is used', async () => {
  const [exchange] = await exchangesDuring('Alert', () => hub.query('xk-border-officer', withFullAlerts('query($id: ID!) { alert(id: $id) { reference } }'), { id: toGlobalId('Alert', 'XK', xkAlert.localId) }));
  for (const field of ['personalData', 'sharingPolicy', 'summary', 'contactPoint', 'documents', 'rules']) expect(selectedNames(exchange!.query)).toContain(field);
});
