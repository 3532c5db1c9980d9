import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { codes, startTestHub, type TestHub } from './helpers.ts';

let hub: TestHub;
let firearmId: string;

const traceFields = 'id reference status requestingAgency addressedTo alertId alertReference answer firearm { serialNumber } transitions { fromStatus toStatus actorAgency }';
const submit = `mutation($input: SubmitTraceRequestInput!) { submitTraceRequest(input: $input) { ${traceFields} } }`;
const advance = `mutation($id: ID!, $input: AdvanceTraceRequestInput!) { advanceTraceRequest(id: $id, input: $input) { ${traceFields} } }`;
const list = `{ traceRequests(first: 10) { totalCount edges { node { id reference status } } } }`;

beforeAll(async () => {
  hub = await startTestHub();
  const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  firearmId = created.data!.createAlert.summary.firearms[0].id;
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('trace requests (iARMS lifecycle) across agencies', () => {
  it('go from SUBMITTED to CLOSED, each step by the party allowed to take it', async () => {
    const submitted = await hub.query('xk-border-officer', submit, {
      input: { firearmId, addressedTo: 'MK', question: 'Please trace this Zastava M70: first legal owner and last known import.' },
    });
    expect(submitted.errors).toBeUndefined();
    const request = submitted.data!.submitTraceRequest;
    expect(request).toMatchObject({ status: 'SUBMITTED', requestingAgency: 'XK', addressedTo: 'MK', firearm: { serialNumber: 'M70-481516' } });
    expect(request.reference).toMatch(/^XK-TRC-\d{4}-\d{6}$/);

    // The addressed agency sees it in its merged list.
    const incoming = await hub.query('mk-duty-officer', list);
    expect(incoming.data!.traceRequests.edges.map((edge: any) => edge.node.id)).toEqual([request.id]);
    // An agency it is not addressed to would not; the requester cannot answer its own request.
    const selfAnswer = await hub.query('xk-border-officer', advance, { id: request.id, input: { status: 'ANSWERED', answer: 'x' } });
    expect(codes(selfAnswer)).toEqual(['FORBIDDEN']);

    const acknowledged = await hub.query('mk-duty-officer', advance, { id: request.id, input: { status: 'ACKNOWLEDGED' } });
    expect(acknowledged.data!.advanceTraceRequest.status).toBe('ACKNOWLEDGED');

    const noAnswer = await hub.query('mk-duty-officer', advance, { id: request.id, input: { status: 'ANSWERED' } });
    expect(codes(noAnswer)).toEqual(['VALIDATION_FAILED']);

    const answered = await hub.query('mk-duty-officer', advance, {
      id: request.id,
      input: { status: 'ANSWERED', answer: 'Exported legally to XK in 2004; reported stolen from a private owner in 2019.' },
    });
    expect(answered.data!.advanceTraceRequest.answer).toMatch(/stolen/);

    const partnerClose = await hub.query('mk-duty-officer', advance, { id: request.id, input: { status: 'CLOSED' } });
    expect(codes(partnerClose)).toEqual(['FORBIDDEN']);

    const closed = await hub.query('xk-border-officer', advance, { id: request.id, input: { status: 'CLOSED', note: 'Thank you.' } });
    expect(closed.data!.advanceTraceRequest.transitions).toEqual([
      { fromStatus: null, toStatus: 'SUBMITTED', actorAgency: 'XK' },
      { fromStatus: 'SUBMITTED', toStatus: 'ACKNOWLEDGED', actorAgency: 'MK' },
      { fromStatus: 'ACKNOWLEDGED', toStatus: 'ANSWERED', actorAgency: 'MK' },
      { fromStatus: 'ANSWERED', toStatus: 'CLOSED', actorAgency: 'XK' },
    ]);

    const reopen = await hub.query('mk-duty-officer', advance, { id: request.id, input: { status: 'IN_PROGRESS' } });
    expect(codes(reopen)).toEqual(['INVALID_TRANSITION']);
  });

  it('refuses requests addressed to oneself, to strangers, or about firearms of other agencies', async () => {
    const self = await hub.query('xk-border-officer', submit, { input: { firearmId, addressedTo: 'XK', question: 'q' } });
    expect(codes(self)).toEqual(['VALIDATION_FAILED']);
    const stranger = await hub.query('xk-border-officer', submit, { input: { firearmId, addressedTo: 'ZZ', question: 'q' } });
    expect(codes(stranger)).toEqual(['VALIDATION_FAILED']);
    // MK asks its own node about a firearm MK does not hold.
    const foreign = await hub.query('mk-border-officer', submit, { input: { firearmId, addressedTo: 'XK', question: 'q' } });
    expect(codes(foreign)).toEqual(['NOT_FOUND']);
    const before = await hub.nodes.get('XK')!.prisma.traceRequest.count();
    expect(before).toBe(1);
  });
});

describe('a trace request names its record only while the record exists for the reader', () => {
  it('keeps the firearm and question for the addressed agency, but no longer names an alert the owner lowered to NONE for it', async () => {
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'trace, then hidden' }) });
    const alert = created.data!.createAlert;
    const submitted = await hub.query('xk-border-officer', submit, {
      input: { firearmId: alert.summary.firearms[0].id, addressedTo: 'MK', question: 'Who imported this pistol?' },
    });
    const request = submitted.data!.submitTraceRequest;
    const one = `query($id: ID!) { node(id: $id) { ... on TraceRequest { ${traceFields} question tier } } }`;
    const before = await hub.query('mk-duty-officer', one, { id: request.id });
    expect(before.data!.node).toMatchObject({ alertId: alert.id, alertReference: alert.reference, firearm: { serialNumber: 'M70-481516' } });

    const policy = await hub.query('xk-duty-officer', `mutation($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }`, {
      id: alert.id,
      input: { rules: [{ partnerAgency: 'MK', tier: 'NONE', purposes: [], expiresAt: new Date(Date.now() + 864e5).toISOString() }] },
    });
    expect(policy.errors).toBeUndefined();
    const listed = `{ traceRequests(first: 20) { edges { node { ${traceFields} question tier } } } }`;
    for (const answer of [await hub.query('mk-duty-officer', one, { id: request.id }), await hub.query('mk-duty-officer', listed)]) {
      const node = 'node' in answer.data! ? answer.data!.node : answer.data!.traceRequests.edges.map((edge: any) => edge.node).find((candidate: any) => candidate.id === request.id);
      // The request is MK's work: it stays, with what XK disclosed by submitting it; the record it came from does not exist for MK.
      expect(node).toMatchObject({ id: request.id, tier: 'SUMMARY', question: 'Who imported this pistol?', firearm: { serialNumber: 'M70-481516' }, alertId: null, alertReference: null });
      expect(JSON.stringify(answer)).not.toContain(alert.reference);
    }
    // The requester sees its own record, as ever.
    const own = await hub.query('xk-border-officer', one, { id: request.id });
    expect(own.data!.node).toMatchObject({ alertId: alert.id, alertReference: alert.reference, tier: 'FULL' });
  });
});
