import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../src/gateway/globalId.ts';
import { alertInput } from './fixtures.ts';
import { adminQuery, codes, graphqlOverWebSocket, startTestHub, type TestHub } from './helpers.ts';

// node(id) and nodes(ids:) resolve alerts and trace requests of every agency
// by their global ids, however often an id appears in one document.

let hub: TestHub;
let xkAlert: string;
let mkAlert: string;
let trace: string;

const fields = '__typename id ... on Alert { reference owner { code } } ... on TraceRequest { reference status }';

beforeAll(async () => {
  hub = await startTestHub();
  const create = 'mutation($input: CreateAlertInput!) { createAlert(input: $input) { id summary { firearms { id } } } }';
  const xk = await hub.query('xk-border-officer', create, { input: alertInput() });
  xkAlert = xk.data!.createAlert.id;
  mkAlert = (await hub.query('mk-border-officer', create, { input: alertInput() })).data!.createAlert.id;
  const submitted = await hub.query(
    'xk-border-officer',
    'mutation($input: SubmitTraceRequestInput!) { submitTraceRequest(input: $input) { id } }',
    { input: { firearmId: xk.data!.createAlert.summary.firearms[0].id, addressedTo: 'MK', question: 'Where was this pistol sold?' } },
  );
  trace = submitted.data!.submitTraceRequest.id;
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const alertOf = (id: string, code: string) => ({ __typename: 'Alert', id, reference: expect.stringMatching(new RegExp(`^${code}-ALR-`)), owner: { code } });
const traceOf = (id: string) => ({ __typename: 'TraceRequest', id, reference: expect.any(String), status: 'SUBMITTED' });

describe('node(id) and nodes(ids:)', () => {
  it('resolve an alert and a trace request', async () => {
    const result = await hub.query('xk-border-officer', `query($a: ID!, $t: ID!) { a: node(id: $a) { ${fields} } t: node(id: $t) { ${fields} } }`, {
      a: mkAlert,
      t: trace,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: alertOf(mkAlert, 'MK'), t: traceOf(trace) });
  });

  it('resolve a mixed list of alerts of both agencies and trace requests, in the order asked', async () => {
    const result = await hub.query('xk-border-officer', `query($ids: [ID!]!) { nodes(ids: $ids) { ${fields} } }`, { ids: [mkAlert, trace, xkAlert] });
    expect(result.errors).toBeUndefined();
    expect(result.data!.nodes).toEqual([alertOf(mkAlert, 'MK'), traceOf(trace), alertOf(xkAlert, 'XK')]);
  });

  it('resolve an id that appears more than once in a document', async () => {
    const result = await hub.query(
      'xk-border-officer',
      `query($id: ID!, $t: ID!) { a: node(id: $id) { ${fields} } b: node(id: $id) { ${fields} } nodes(ids: [$id, $t, $id, $t]) { ${fields} } }`,
      { id: xkAlert, t: trace },
    );
    expect(result.errors).toBeUndefined();
    const alert = alertOf(xkAlert, 'XK');
    expect(result.data).toEqual({ a: alert, b: alert, nodes: [alert, traceOf(trace), alert, traceOf(trace)] });
  });

  it('resolve a repeated id over graphql-ws too, and the consultation entry names each record once', async () => {
    const result = await graphqlOverWebSocket(
      hub.gatewayUrl,
      `query Twice($id: ID!, $t: ID!) { node(id: $id) { ${fields} } nodes(ids: [$id, $t, $id]) { ${fields} } }`,
      { id: mkAlert, t: trace },
      { token: await hub.token('xk-border-officer') },
    );
    expect(result.errors).toBeUndefined();
    const alert = alertOf(mkAlert, 'MK');
    expect(result.data).toEqual({ node: alert, nodes: [alert, traceOf(trace), alert] });
    const [entry] = await adminQuery<{ operation: string; records: { agency: string; id: string; tier?: string }[] }>(
      hub.hubDatabase.name,
      'select operation, records from audit.entry order by seq desc limit 1',
    );
    expect(entry!.operation).toBe('query Twice');
    const local = (id: string) => Buffer.from(id, 'base64').toString().split(':').slice(2).join(':');
    expect(entry!.records.map(({ agency, id }) => `${agency}:${id}`).sort()).toEqual([`MK:${local(mkAlert)}`, `XK:${local(trace)}`].sort());
    expect(entry!.records.find((record) => record.agency === 'MK')!.tier).toBeDefined();
  });

  it('answer null for ids of agencies outside the exchange and of records that do not exist, as alert(id) does', async () => {
    const ids = [toGlobalId('Alert', 'ZZ', '00000000-0000-0000-0000-000000000000'), toGlobalId('TraceRequest', 'MK', '00000000-0000-0000-0000-000000000000')];
    const result = await hub.query('xk-border-officer', `query($ids: [ID!]!, $id: ID!) { node(id: $id) { id } nodes(ids: $ids) { id } }`, { ids, id: ids[0] });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ node: null, nodes: [null, null] });
  });

  it('refuse malformed ids and ids of types they do not look up, naming the argument, before asking any node', async () => {
    for (const bad of ['bogus', Buffer.from('Alert:xk:1').toString('base64'), toGlobalId('ConsentGrant', 'XK', '00000000-0000-0000-0000-000000000000')]) {
      const one = await hub.query('xk-border-officer', 'query($id: ID!) { node(id: $id) { id } }', { id: bad });
      expect(codes(one), bad).toEqual(['VALIDATION_FAILED']);
      expect(one.errors![0]!.extensions!.issues).toEqual([{ path: 'id', message: 'is not the id of an Alert or a TraceRequest' }]);
      const many = await hub.query('xk-border-officer', 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [xkAlert, bad] });
      expect(codes(many), bad).toEqual(['VALIDATION_FAILED']);
      expect(many.errors![0]!.extensions!.issues).toEqual([{ path: 'ids.1', message: 'is not the id of an Alert or a TraceRequest' }]);
      expect(many.data).toBeNull();
    }
    const tooMany = await hub.query('xk-border-officer', 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array(101).fill(xkAlert) });
    expect(codes(tooMany)).toEqual(['VALIDATION_FAILED']);
  });

  it('are for operational roles, as alert(id) is', async () => {
    const result = await hub.query('xk-auditor', 'query($id: ID!) { node(id: $id) { id } }', { id: xkAlert }, { purpose: 'AUDIT', caseReference: null });
    expect(codes(result)).toEqual(['FORBIDDEN']);
  });
});
