import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { codes, startTestHub, testPurpose, webSocketUrl, type TestHub } from './helpers.ts';
import { activeOperation, operationDocuments, succeed, workingInOperation } from './operationFixtures.ts';

// What the hub shows of an operation's linked alerts is what their owners
// release to the reader: an alert withheld from it (NONE) does not exist for
// it here either, and one owner that does not answer does not take the
// others' alerts down with it.

const code = 'XK-MK-JO-2026-21';
const inOperation = workingInOperation(code);

const recordFields = /* GraphQL */ `
  linkedAlerts { alertId owner { code } linkedBy linkedAt alert { id reference access { tier } summary { title } } }
  timeline { text alertIds }
`;
const record = /* GraphQL */ `query($id: ID!) { jointOperation(id: $id) { ${recordFields} outcome { seizuresCounted seizuresWithheld firearms roundsOfAmmunition } } }`;
/** The same, with which agencies did not answer. */
const recordAndAvailability = /* GraphQL */ `
  query($id: ID!) { jointOperation(id: $id) { ${recordFields} unavailableAgencies outcome { seizuresCounted seizuresWithheld firearms roundsOfAmmunition unavailableAgencies } } }
`;

let hub: TestHub;
let operationId: string;
/** XK seizures: one MK may see at HIT (the default policy), one withheld from MK (H2, no rule for MK). */
let xkVisible: { id: string; reference: string };
let xkWithheld: { id: string; reference: string };
let mkSeizure: { id: string; reference: string };

async function seizure(user: 'xk-border-officer' | 'mk-border-officer', title: string, serial: string) {
  const input = alertInput({ title, firearms: [{ make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65 mm', serialNumber: serial, euCategory: 'B' }], ammunition: [{ calibre: '7.65 mm', quantity: 50 }] });
  const created = await succeed(hub, user, createAlertMutation, { input }, testPurpose);
  return { id: created.createAlert.id as string, reference: created.createAlert.reference as string };
}

beforeAll(async () => {
  hub = await startTestHub({ nodeTimeoutMs: 10_000 });
  operationId = await activeOperation(hub, code, [
    ['xk-border-officer', 'MEMBER'],
    ['mk-border-officer', 'MEMBER'],
  ]);
  xkVisible = await seizure('xk-border-officer', 'Pistols in a spare wheel', 'VIS-XK-1');
  xkWithheld = await seizure('xk-border-officer', 'Informant tip: pistols in a lorry', 'VIS-XK-2');
  mkSeizure = await seizure('mk-border-officer', 'Rounds under a seat', 'VIS-MK-1');
  await succeed(hub, 'xk-border-officer', `mutation($id: ID!) { setSharingPolicy(alertId: $id, input: { handlingCode: H2 }) { id } }`, { id: xkWithheld.id }, testPurpose);
  for (const alert of [xkVisible, xkWithheld]) await succeed(hub, 'xk-border-officer', operationDocuments.link, { id: operationId, alertId: alert.id }, inOperation);
  await succeed(hub, 'mk-border-officer', operationDocuments.link, { id: operationId, alertId: mkSeizure.id }, inOperation);
  await succeed(hub, 'xk-border-officer', operationDocuments.addEntry, {
    id: operationId,
    input: { kind: 'SEIZURE', occurredAt: '2026-12-01T07:00:00.000Z', text: 'Both seizures at the outbound lane.', alertIds: [xkVisible.id, xkWithheld.id] },
  }, inOperation);
});

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('an alert its owner withholds from a partner member (NONE)', () => {
  it('is not in linkedAlerts, the timeline or the outcome, by id, reference, linker, date or count', async () => {
    const result = await hub.query('mk-border-officer', record, { id: operationId }, inOperation);
    expect(result.errors).toBeUndefined();
    const operation = result.data!.jointOperation;
    expect(operation.linkedAlerts.map((link: any) => link.alertId).sort()).toEqual([xkVisible.id, mkSeizure.id].sort());
    expect(operation.linkedAlerts.every((link: any) => link.alert !== null)).toBe(true);
    expect(operation.timeline).toEqual([{ text: 'Both seizures at the outbound lane.', alertIds: [xkVisible.id] }]);
    // MK's own seizure counted; XK's visible one at HIT withheld from the totals; the hidden one in no count at all.
    expect(operation.outcome).toEqual({ seizuresCounted: 1, seizuresWithheld: 1, firearms: 1, roundsOfAmmunition: 50 });
    // Nothing in the whole answer names it.
    const answer = JSON.stringify(result);
    for (const trace of [xkWithheld.id, xkWithheld.reference]) expect(answer).not.toContain(trace);
  });

  it('is all there for its owner’s own members', async () => {
    const operation = (await succeed(hub, 'xk-border-officer', record, { id: operationId }, inOperation)).jointOperation;
    expect(operation.linkedAlerts.map((link: any) => link.alertId).sort()).toEqual([xkVisible.id, xkWithheld.id, mkSeizure.id].sort());
    expect(operation.timeline[0].alertIds).toEqual([xkVisible.id, xkWithheld.id]);
    expect(operation.outcome).toMatchObject({ seizuresCounted: 2, seizuresWithheld: 1 });
  });

  it('cannot be named in a timeline entry: refused in the same words as an alert that is not linked', async () => {
    const entry = (alertId: string) => ({ id: operationId, input: { kind: 'NOTE', occurredAt: '2026-12-01T08:00:00.000Z', text: 'About that one.', alertIds: [alertId] } });
    const unlinked = (await succeed(hub, 'mk-border-officer', createAlertMutation, { input: alertInput({ title: 'Not linked' }) }, testPurpose)).createAlert.id;
    const withheld = await hub.query('mk-border-officer', operationDocuments.addEntry, entry(xkWithheld.id), inOperation);
    const notLinked = await hub.query('mk-border-officer', operationDocuments.addEntry, entry(unlinked), inOperation);
    expect(codes(withheld)).toEqual(['VALIDATION_FAILED']);
    expect(withheld.errors![0]!.message).toBe(notLinked.errors![0]!.message);
    expect(withheld.errors![0]!.extensions).toEqual(notLinked.errors![0]!.extensions);
  });

  it('comes as no link in an operationUpdates push, to the partner member', async () => {
    const client = createClient({
      url: webSocketUrl(hub.gatewayUrl),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await hub.token('mk-border-officer')}`, ...inOperation },
    });
    const pushes: { seq: number; kind: string; linkedAlert: { alertId: string } | null }[] = [];
    try {
      // The feed so far: 4 members added (2 liaisons, 2 members), the activation, 3 links, the timeline entry.
      for await (const result of client.iterate({ query: `subscription($id: ID!) { operationUpdates(operationId: $id) { seq kind linkedAlert { alertId } } }`, variables: { id: operationId } })) {
        expect(result.errors).toBeUndefined();
        pushes.push(result.data!.operationUpdates as never);
        if (pushes.length === 9) break;
      }
    } finally {
      await client.dispose();
    }
    expect(pushes.filter((push) => push.kind === 'ALERT_LINKED').map((push) => push.linkedAlert?.alertId ?? null)).toEqual([xkVisible.id, null, mkSeizure.id]);
  });
});

describe('an owner whose node does not answer', () => {
  it('leaves the other owners’ linked alerts, timeline and outcome standing, and is named', async () => {
    await hub.stopNode('MK');
    const plain = await hub.query('xk-border-officer', record, { id: operationId }, inOperation);
    expect(plain.data?.jointOperation.outcome).toEqual({ seizuresCounted: 2, seizuresWithheld: 0, firearms: 2, roundsOfAmmunition: 100 });
    expect(plain.data!.jointOperation.linkedAlerts.map((link: any) => link.alert.reference).sort()).toEqual([xkVisible.reference, xkWithheld.reference].sort());
    const result = await hub.query('xk-border-officer', recordAndAvailability, { id: operationId }, inOperation);
    const operation = result.data!.jointOperation;
    expect(operation.unavailableAgencies).toEqual(['MK']);
    expect(operation.linkedAlerts.map((link: any) => link.alertId).sort()).toEqual([xkVisible.id, xkWithheld.id].sort());
    expect(operation.timeline[0].alertIds).toEqual([xkVisible.id, xkWithheld.id]);
    expect(operation.outcome).toEqual({ seizuresCounted: 2, seizuresWithheld: 0, firearms: 2, roundsOfAmmunition: 100, unavailableAgencies: ['MK'] });
    // The client is told in the errors too, once, naming the agency.
    expect(result.errors!.map((error) => [error.extensions?.code, error.extensions?.agency])).toEqual([['AGENCY_UNAVAILABLE', 'MK']]);
  });
});
