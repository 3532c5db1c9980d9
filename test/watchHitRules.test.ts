import { agreement } from '../src/consent/agreement.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import { normalizeIdentifier } from '../src/domain/normalize.ts';
import { watchEntryInput } from '../src/domain/watchInput.ts';
import { parseGlobalId } from '../src/gateway/globalId.ts';
import { criterionColumns } from '../src/node/records/watchEntryRecords.ts';
import { maxRetroHits } from '../src/domain/watchView.ts';
import { alertInput, alertRow, createAlertMutation } from './fixtures.ts';
import { activeOperation, operationDocuments, workingInOperation } from './operationFixtures.ts';
import { adminQuery, demoUsers, startTestHub, testPurpose, type TestHub } from './helpers.ts';

// Who gets a hit when: every watcher of a changed record, however many; at
// most the newest 200 records a new entry's watcher may see, the cap said;
// a record hidden when it was matched, once a grant or an operation's release
// shows it; a serial's make narrows nothing.

let hub: TestHub;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);
const noIdentifiers = { firearms: [], subjects: [], vehicles: [] };
const car = (plate: string) => ({ ...noIdentifiers, vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK' }] });
const xkDatabase = () => hub.nodes.get('XK')!.database.name;

const createWatch = /* GraphQL */ `mutation($input: WatchEntryInput!) { createWatchEntry(input: $input) { id make label } }`;
const setPolicy = /* GraphQL */ `mutation($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }`;

async function ok<T = Record<string, any>>(user: DemoUserName, query: string, variables: Record<string, unknown>, options = {}) {
  const result = await hub.query<T>(user, query, variables, options);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}
const seize = async (overrides: Record<string, unknown>) => (await ok('xk-border-officer', createAlertMutation, { input: alertInput(overrides) })).createAlert;
/** Registers a watch entry through the gateway; `id` is the one every node stores it under. */
async function watch(user: DemoUserName, input: Record<string, unknown>, options = {}) {
  const entry = (await ok(user, createWatch, { input: { expiresAt: inDays(30).toISOString(), ...input } }, options)).createWatchEntry;
  return { ...entry, id: parseGlobalId(entry.id, 'WatchEntry').localId };
}
/** Hide an XK record from MK: a rule at NONE for every purpose. */
const hideFromMk = (alertId: string) =>
  ok('xk-border-officer', setPolicy, {
    id: alertId,
    input: { rules: [{ partnerAgency: 'MK', tier: 'NONE', purposes: ['CRIMINAL_INVESTIGATION', 'JOINT_OPERATION'], expiresAt: inDays(30).toISOString() }] },
  });
/** The hits the XK node stored for a watch entry. */
const hitsOf = async (watchEntryId: string) =>
  adminQuery<{ alert_id: string; retro: boolean }>(xkDatabase(), 'select alert_id::text, retro from node.watch_hit where watch_entry_id = $1', [watchEntryId]);

beforeAll(async () => {
  hub = await startTestHub({ nodeTimeoutMs: 30_000 });
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('who a watch hit reaches', () => {
  it('reaches every watcher of a changed record the owner releases it to, the 201st and the 250th too, and no other', async () => {
    const plate = 'WT-201-AB';
    const now = new Date();
    const { criterion, label } = watchEntryInput(agreement, now).parse({ plate, plateCountry: 'XK', expiresAt: inDays(30) });
    const entry = (index: number, roles: string[]) => ({
      id: randomUUID(),
      ownerAgency: 'MK',
      ownerUnit: `MK-WATCH-${index}`,
      registeredBy: `mk.watch.${index}`,
      registeredRoles: roles,
      purpose: testPurpose.purpose,
      caseReference: testPurpose.caseReference,
      label,
      ...criterionColumns(criterion),
      createdAt: now,
      expiresAt: inDays(30),
    });
    // 250 units watch the plate; ten more entries were registered by auditors, whom the agreement releases nothing.
    const released = Array.from({ length: 250 }, (_, index) => entry(index, ['officer']));
    const withheld = Array.from({ length: 10 }, (_, index) => entry(250 + index, ['auditor']));
    await hub.nodes.get('XK')!.prisma.watchEntry.createMany({ data: [...released, ...withheld] });

    const seizure = await seize(car(plate));
    const events = await adminQuery<{ watch_entry_id: string; recipient_unit: string }>(
      xkDatabase(),
      `select watch_entry_id::text, recipient_unit from node.event where alert_id = $1 and kind = 'HIT'`,
      [seizure.localId],
    );
    expect(events.map((event) => event.watch_entry_id).sort()).toEqual(released.map((row) => row.id).sort());
    expect(new Set(events.map((event) => event.recipient_unit)).size).toBe(250);
  });

  it(`keeps a new entry's ${maxRetroHits} newest retro hits among the records the watcher may see, and says it cut the rest`, async () => {
    const plate = 'WT-RETRO-77';
    const prisma = hub.nodes.get('XK')!.prisma;
    const base = Date.now() - 86_400_000;
    // 260 records with the plate, a minute apart; XK withholds the 40 newest from MK.
    const alerts = Array.from({ length: 260 }, (_, index) =>
      alertRow({
        id: randomUUID(),
        reference: `XK-RETRO-${String(index).padStart(3, '0')}`,
        createdAt: new Date(base + index * 60_000),
        unitCode: demoUsers['xk-border-officer'].unit,
        createdBy: demoUsers['xk-border-officer'].sub,
      }),
    );
    const vehicles = alerts.map(() => ({ id: randomUUID(), plate, plateNormalized: normalizeIdentifier(plate), plateCountry: 'XK' }));
    await prisma.alert.createMany({ data: alerts });
    await prisma.vehicle.createMany({ data: vehicles });
    await prisma.alertVehicle.createMany({ data: alerts.map((alert, index) => ({ alertId: alert.id, vehicleId: vehicles[index]!.id, role: 'TRANSPORT' as const })) });
    const hidden = alerts.slice(-40);
    await prisma.sharingRule.createMany({
      data: hidden.map((alert) => ({ alertId: alert.id, partnerAgency: 'MK', tier: 'NONE' as const, purposes: [testPurpose.purpose], expiresAt: inDays(30), setBy: 'test' })),
    });

    const entry = await watch('mk-border-officer', { plate, plateCountry: 'XK' });
    const newestVisible = alerts.slice(0, -40).slice(-maxRetroHits).map((alert) => alert.id);
    const hits = await hitsOf(entry.id);
    expect(hits.map((hit) => hit.alert_id).sort()).toEqual([...newestVisible].sort());
    expect(hits.every((hit) => hit.retro)).toBe(true);
    const [registered] = await adminQuery<{ details: { retroHits: number; retroHitsCapped?: boolean } }>(
      xkDatabase(),
      `select details from audit.entry where kind = 'CHANGE' and records @> $1::jsonb`,
      [JSON.stringify([{ id: entry.id }])],
    );
    expect(registered!.details).toMatchObject({ retroHits: maxRetroHits, retroHitsCapped: true });
  });

  it('reaches a watcher once a grant shows it a record that was hidden from it when it was matched', async () => {
    const plate = 'WT-GRANT-1';
    const seizure = await seize(car(plate));
    // MK asks for more while it sees the record; then XK withholds it from MK, and MK starts watching its plate.
    const asked = await ok('mk-border-officer', `mutation($input: ConsentRequestInput!) { requestConsent(input: $input) { id } }`, {
      input: { alertId: seizure.id, tier: 'FULL', justification: 'The car is part of our investigation.' },
    });
    await hideFromMk(seizure.id);
    const entry = await watch('mk-border-officer', { plate, plateCountry: 'XK' });
    expect(await hitsOf(entry.id)).toEqual([]);

    await ok('xk-duty-officer', `mutation($id: ID!, $input: ConsentDecisionInput!) { decideConsentRequest(id: $id, input: $input) { status } }`, {
      id: asked.requestConsent.id,
      input: { decision: 'GRANT', tier: 'FULL', expiresAt: inDays(10).toISOString(), reason: 'Joint case.' },
    });
    expect(await hitsOf(entry.id)).toEqual([{ alert_id: seizure.localId, retro: false }]);
    const [event] = await adminQuery(xkDatabase(), `select recipient_unit from node.event where watch_entry_id = $1 and alert_id = $2`, [entry.id, seizure.localId]);
    expect(event).toEqual({ recipient_unit: demoUsers['mk-border-officer'].unit });
  });

  it("reaches a member's watch entry in a joint operation once the owner releases the hidden record to the operation", async () => {
    const code = 'XK-MK-JO-2026-31';
    const inOperation = workingInOperation(code);
    const plate = 'WT-JO-31';
    // XK's duty officer, whose role decides consent, releases XK's linked records once a member.
    const operationId = await activeOperation(hub, code, [['xk-duty-officer', 'MEMBER']]);
    const seizure = await seize(car(plate));
    await hideFromMk(seizure.id);
    await ok('xk-liaison', operationDocuments.link, { id: operationId, alertId: seizure.id }, inOperation);
    const entry = await watch('mk-liaison', { plate, plateCountry: 'XK' }, inOperation);
    expect(await hitsOf(entry.id)).toEqual([]);

    await ok('xk-duty-officer', operationDocuments.release, { id: operationId, input: { tier: 'SUMMARY', expiresAt: inDays(10).toISOString() } }, inOperation);
    expect(await hitsOf(entry.id)).toEqual([{ alert_id: seizure.localId, retro: false }]);
  });

  it("keeps a watched serial's make with the entry, and matches on the serial alone, as a search of the serial does", async () => {
    const entry = await watch('mk-border-officer', { serialNumber: 'ZB-4471-26', make: 'CZ' });
    expect(entry).toMatchObject({ make: 'CZ', label: 'CZ ZB-4471-26' });
    // The record names another make (a make is written many ways, or misread): the serial still meets it.
    const seizure = await seize({ ...noIdentifiers, firearms: [{ make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65 mm', serialNumber: 'ZB 4471 26' }] });
    expect(await hitsOf(entry.id)).toEqual([{ alert_id: seizure.localId, retro: false }]);
  });
});
