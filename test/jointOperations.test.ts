import pg from 'pg';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHubId } from '../src/gateway/globalId.ts';
import { alertFields, alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, demoUsers, startTestHub, webSocketUrl, type TestHub } from './helpers.ts';
import { asOfficer, callNodeAsGateway, daysFromNow, deciders, memberInput, operationDocuments, operationInput as planOf } from './operationFixtures.ts';
import type { DemoUserName } from '../src/demo/demoUsers.ts';

const code = 'XK-MK-JO-2026-01';
/** Working in the operation: the purpose JOINT_OPERATION with its code. */
const inOperation = { purpose: 'JOINT_OPERATION', caseReference: code };

const operationFields = /* GraphQL */ `
  id code codeName status myRole leadAgency { code } participatingAgencies { code }
  area { borderCrossings greenBorderSectors municipalities }
  plannedPeriod { start end } actualPeriod { start end }
`;
const recordFields = /* GraphQL */ `
  ${operationFields}
  transitions { fromStatus toStatus actorSub actorAgency at }
  members { id officerSub agency { code } role removedAt }
  linkedAlerts { alertId owner { code } linkedBy alert { reference kind access { tier basis } summary { title } } }
  releases { owner { code } tier }
  timeline { id kind text personsArrested alertIds correctsId authorSub authorAgency }
  outcome {
    seizuresCounted seizuresWithheld firearms firearmsByCategory { category count } unavailableAgencies
    roundsOfAmmunition explosivesKilograms explosiveItemsWithoutMass personsArrested
  }
`;

const { create, changeStatus, addMember, removeMember, link, addEntry, release } = operationDocuments;
const read = /* GraphQL */ `query($id: ID!) { jointOperation(id: $id) { ${recordFields} } }`;
const list = /* GraphQL */ `query($filter: JointOperationFilter) { jointOperations(first: 50, filter: $filter) { totalCount edges { node { id code status } } } }`;
const alertQuery = /* GraphQL */ `query($id: ID!) { alert(id: $id) { ${alertFields} } }`;

const member = memberInput;

const operationInput = (overrides: Record<string, unknown> = {}) => planOf(code, overrides);

/** The seizures of both agencies that will be linked: their items are what the totals must add up to. */
const seizures = {
  XK: [
    alertInput({ title: 'XK seizure one', firearms: [{ make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65 mm', serialNumber: 'JO-XK-1', euCategory: 'B' }, { make: 'Zastava', model: 'M57', type: 'PISTOL', calibre: '7.62 mm', serialNumber: 'JO-XK-2', euCategory: 'B' }], ammunition: [{ calibre: '7.65 mm', quantity: 48 }], explosives: [{ type: 'PLASTIC_EXPLOSIVE', quantity: 1.25, unit: 'KILOGRAM' }] }),
    alertInput({ title: 'XK seizure two', firearms: [{ make: 'Kalashnikov', model: 'AK-47', type: 'RIFLE', calibre: '7.62×39 mm', serialNumber: 'JO-XK-3', euCategory: 'A' }], ammunition: [{ calibre: '7.62×39 mm', quantity: 120 }], explosives: [{ type: 'DETONATOR', quantity: 4, unit: 'PIECE' }] }),
  ],
  MK: [
    alertInput({ title: 'MK seizure', firearms: [{ make: 'CZ', model: '75', type: 'PISTOL', calibre: '9 mm', serialNumber: 'JO-MK-1', euCategory: 'B' }], ammunition: [{ calibre: '9 mm', quantity: 200 }, { calibre: '9 mm', quantity: 50 }], explosives: [{ type: 'COMMERCIAL_EXPLOSIVE', quantity: 750, unit: 'GRAM' }] }),
  ],
};
/** The same totals, computed from the inputs, of the seizures of `agencies`. */
function expectedOutcome(agencies: readonly ('XK' | 'MK')[] = ['XK', 'MK']) {
  const all = agencies.flatMap((agency) => seizures[agency]) as { firearms: { euCategory: string }[]; ammunition: { quantity: number }[]; explosives: { quantity: number; unit: string }[] }[];
  const firearms = all.flatMap((alert) => alert.firearms);
  const explosives = all.flatMap((alert) => alert.explosives);
  const perKilogram: Record<string, number> = { GRAM: 0.001, KILOGRAM: 1 };
  return {
    firearms: firearms.length,
    byCategory: Object.fromEntries(['A', 'B', 'C'].map((category) => [category, firearms.filter((firearm) => firearm.euCategory === category).length]).filter(([, count]) => count)),
    rounds: all.flatMap((alert) => alert.ammunition).reduce((sum, lot) => sum + lot.quantity, 0),
    kilograms: explosives.filter((lot) => perKilogram[lot.unit]).reduce((sum, lot) => sum + lot.quantity * perKilogram[lot.unit]!, 0),
    withoutMass: explosives.filter((lot) => !perKilogram[lot.unit]).length,
  };
}

let hub: TestHub;
let operationId: string;
const alertIds: Record<'XK' | 'MK', string[]> = { XK: [], MK: [] };
let lookoutId: string;

async function ok<T = any>(user: DemoUserName, query: string, variables: Record<string, unknown> = {}, options = inOperation): Promise<T> {
  const result = await hub.query(user, query, variables, options);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data as T;
}

/** The agency's consent decider, a member, releases its linked alerts to the operation. */
async function releaseAs(agency: 'XK' | 'MK', tier: string) {
  const result = await asOfficer(hub, deciders[agency], release, { id: operationId, input: { tier, expiresAt: daysFromNow(30) } }, inOperation);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
}

/** Rows of the operation's tables, to show that a refused step changed nothing. */
async function snapshot(globalId: string) {
  const id = parseHubId(globalId, 'JointOperation');
  const tables = ['joint_operation', 'operation_member', 'operation_alert_link', 'operation_release', 'timeline_entry', 'operation_transition', 'operation_update'];
  const column = (table: string) => (table === 'joint_operation' ? 'id' : 'operation_id');
  return Object.fromEntries(
    await Promise.all(tables.map(async (table) => [table, await adminQuery(hub.hubDatabase.name, `select * from hub.${table} where ${column(table)} = $1 order by 1, 2`, [id])] as const)),
  );
}

beforeAll(async () => {
  // Nodes get 10 s: the machine is shared, and a slow answer is not what these tests are about.
  hub = await startTestHub({ nodeTimeoutMs: 10_000 });
  for (const agency of ['XK', 'MK'] as const) {
    for (const input of seizures[agency]) {
      const created = await ok(agency === 'XK' ? 'xk-border-officer' : 'mk-border-officer', createAlertMutation, { input }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
      alertIds[agency].push(created.createAlert.id);
    }
  }
  const lookout = await ok('mk-border-officer', createAlertMutation, { input: alertInput({ kind: 'LOOKOUT_VEHICLE', title: 'Audi A4 with a false floor', firearms: [], ammunition: [] }) }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
  lookoutId = lookout.createAlert.id;
});

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('a joint operation of XK and MK, from planning to closure', () => {
  it('is planned by an XK liaison, with the MK liaison named; both are its first members', async () => {
    const created = await ok('xk-liaison', create, { input: operationInput() }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
    expect(created.createJointOperation).toMatchObject({ code, status: 'PLANNED', myRole: 'LIAISON', leadAgency: { code: 'XK' }, actualPeriod: { start: null, end: null } });
    operationId = created.createJointOperation.id;
    const asMk = await ok('mk-liaison', read, { id: operationId });
    expect(asMk.jointOperation.members.map((m: any) => [m.officerSub, m.agency.code, m.role]).sort()).toEqual([
      [demoUsers['mk-liaison'].sub, 'MK', 'LIAISON'],
      [demoUsers['xk-liaison'].sub, 'XK', 'LIAISON'],
    ]);
  });

  it('gets members of each agency from that agency’s liaison, and is activated by a liaison', async () => {
    await ok('xk-liaison', addMember, { id: operationId, input: member('xk-border-officer', 'TEAM_LEAD') });
    await ok('mk-liaison', addMember, { id: operationId, input: member('mk-border-officer', 'MEMBER') });
    // Each agency's officer who decides its consent, to release its alerts to the operation.
    await ok('xk-liaison', addMember, { id: operationId, input: member(deciders.XK, 'MEMBER') });
    await ok('mk-liaison', addMember, { id: operationId, input: member(deciders.MK, 'MEMBER') });
    const activated = await ok('mk-liaison', changeStatus, { id: operationId, input: { status: 'ACTIVE', reason: 'Teams in place at both sides of the crossing.' } });
    expect(activated.changeJointOperationStatus.status).toBe('ACTIVE');
    expect(activated.changeJointOperationStatus.actualPeriod.start).not.toBeNull();
  });

  it('links alerts of both agencies, each by a member who can see it', async () => {
    for (const id of alertIds.XK) await ok('xk-border-officer', link, { id: operationId, alertId: id });
    for (const id of [...alertIds.MK, lookoutId]) await ok('mk-border-officer', link, { id: operationId, alertId: id });
    const record = (await ok('xk-border-officer', read, { id: operationId })).jointOperation;
    expect(record.linkedAlerts.map((l: any) => l.owner.code)).toEqual(['XK', 'XK', 'MK', 'MK']);
  });

  it("shows each member every linked alert at exactly the tier its owner released to the operation, and a lowering at once", async () => {
    await releaseAs('XK', 'FULL');
    await releaseAs('MK', 'SUMMARY');
    const tiers = async (user: DemoUserName) =>
      Object.fromEntries((await ok(user, read, { id: operationId })).jointOperation.linkedAlerts.map((l: any) => [l.alertId, l.alert.access.tier]));
    const asMk = await tiers('mk-border-officer');
    const asXk = await tiers('xk-border-officer');
    for (const id of alertIds.XK) expect([asMk[id], asXk[id]]).toEqual(['FULL', 'FULL']);
    for (const id of [...alertIds.MK, lookoutId]) expect([asMk[id], asXk[id]]).toEqual(['FULL', 'SUMMARY']);
    // The same alert asked for directly, under the operation's purpose, comes at the same tier: a grant for this operation.
    const direct = await ok('mk-border-officer', alertQuery, { id: alertIds.XK[0] });
    expect(direct.alert.access).toMatchObject({ tier: 'FULL', basis: 'GRANT', caseReference: code });

    await releaseAs('XK', 'SUMMARY');
    const lowered = await tiers('mk-border-officer');
    for (const id of alertIds.XK) expect(lowered[id]).toBe('SUMMARY');
    expect((await ok('mk-border-officer', alertQuery, { id: alertIds.XK[0] })).alert.personalData).toBeNull();
    await releaseAs('XK', 'FULL');
  });

  it('keeps a timeline of dated entries by members, a correction being a new entry', async () => {
    await ok('xk-liaison', addEntry, { id: operationId, input: { kind: 'BRIEFING', occurredAt: '2026-11-25T05:30:00.000Z', text: 'Joint briefing at the Blace side.' } });
    await ok('xk-border-officer', addEntry, { id: operationId, input: { kind: 'SEIZURE', occurredAt: '2026-11-25T07:10:00.000Z', text: 'Pistols found in a spare wheel.', alertIds: alertIds.XK } });
    const arrest = await ok('mk-border-officer', addEntry, { id: operationId, input: { kind: 'ARREST', occurredAt: '2026-11-25T07:40:00.000Z', text: 'Driver arrested.', personsArrested: 1 } });
    await ok('mk-border-officer', addEntry, {
      id: operationId,
      input: { kind: 'ARREST', occurredAt: '2026-11-25T07:40:00.000Z', text: 'Driver and passenger arrested (correction).', personsArrested: 2, correctsId: arrest.addTimelineEntry.id },
    });
    await ok('mk-border-officer', addEntry, { id: operationId, input: { kind: 'ARREST', occurredAt: '2026-11-26T09:00:00.000Z', text: 'Courier arrested in Skopje.', personsArrested: 1, alertIds: [alertIds.MK[0]] } });
    await ok('xk-border-officer', addEntry, { id: operationId, input: { kind: 'DECISION', occurredAt: '2026-11-27T12:00:00.000Z', text: 'Close the operation after the debrief.' } });
    const { timeline } = (await ok('xk-liaison', read, { id: operationId })).jointOperation;
    expect(timeline.map((entry: any) => entry.kind)).toEqual(['BRIEFING', 'SEIZURE', 'ARREST', 'ARREST', 'ARREST', 'DECISION']);
    expect(timeline[3].correctsId).toBe(arrest.addTimelineEntry.id);
    expect(timeline[1].alertIds).toEqual(alertIds.XK);
    expect(timeline[2]).toMatchObject({ authorSub: demoUsers['mk-border-officer'].sub, authorAgency: 'MK' });
  });

  it('has as outcome the totals of the linked seizures and the arrests of the timeline; closed, each sees its own and the partners’ at their policy', async () => {
    const outcomeOf = (agencies: readonly ('XK' | 'MK')[], withheld: number) => {
      const expected = expectedOutcome(agencies);
      return {
        seizuresCounted: agencies.reduce((sum, agency) => sum + seizures[agency].length, 0),
        seizuresWithheld: withheld,
        unavailableAgencies: [],
        firearms: expected.firearms,
        firearmsByCategory: Object.entries(expected.byCategory)
          .map(([category, count]) => ({ category, count: count as number }))
          .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
        roundsOfAmmunition: expected.rounds,
        explosivesKilograms: expected.kilograms,
        explosiveItemsWithoutMass: expected.withoutMass,
        // 2 (the correction of the first arrest, which no longer counts) + 1.
        personsArrested: 3,
      };
    };
    // While the releases are in force, both agencies' members see every seizure.
    for (const user of ['xk-border-officer', 'mk-border-officer'] as const) {
      expect((await ok(user, read, { id: operationId })).jointOperation.outcome).toEqual(outcomeOf(['XK', 'MK'], 0));
    }
    const closed = await ok('xk-liaison', changeStatus, { id: operationId, input: { status: 'CLOSED', reason: 'Objectives met.' } });
    expect(closed.changeJointOperationStatus.status).toBe('CLOSED');
    // Closed, the releases have ended: the partner's seizures come at the partner's default policy (HIT), out of the totals.
    for (const [user, own, partner] of [['xk-border-officer', 'XK', 'MK'], ['mk-border-officer', 'MK', 'XK']] as const) {
      const { outcome, transitions } = (await ok(user, read, { id: operationId })).jointOperation;
      expect(outcome).toEqual(outcomeOf([own], seizures[partner].length));
      expect(transitions.map((tr: any) => [tr.fromStatus, tr.toStatus, tr.actorSub])).toEqual([
        [null, 'PLANNED', demoUsers['xk-liaison'].sub],
        ['PLANNED', 'ACTIVE', demoUsers['mk-liaison'].sub],
        ['ACTIVE', 'CLOSED', demoUsers['xk-liaison'].sub],
      ]);
    }
  });

  it('is in the gateway’s log with its code as case reference for every read and change, and the owners logged what they released', async () => {
    const entries = await adminQuery<{ operation: string; kind: string; records: { agency: string; reference?: string }[] }>(
      hub.hubDatabase.name,
      `select operation, kind, records from audit.entry where case_reference = $1 order by seq`,
      [code],
    );
    const operations = new Set(entries.map((entry) => entry.operation.replace(/ anonymous$/, '')));
    for (const kind of ['query', 'mutation']) expect(operations).toContain(kind);
    const changes = entries.filter((entry) => entry.kind === 'CHANGE');
    // Members added (4), activation, links (4), releases (4), timeline (6), closure.
    expect(changes.length).toBe(4 + 1 + 4 + 4 + 6 + 1);
    const namingIt = (entry: (typeof entries)[number]) => entry.records.some((record) => record.agency === 'HUB' && record.reference === code);
    for (const entry of changes) expect(namingIt(entry)).toBe(true);
    // Reads of the operation (jointOperation) name it too; reads of a linked alert under its purpose name the alert.
    expect(entries.filter((entry) => entry.kind === 'CONSULTATION' && namingIt(entry)).length).toBeGreaterThanOrEqual(8);
    for (const agency of ['XK', 'MK']) {
      const node = hub.nodes.get(agency)!.database.name;
      const released = await adminQuery<{ kind: string }>(node, `select kind from audit.entry where case_reference = $1 and purpose = 'JOINT_OPERATION'`, [code]);
      expect(released.map((entry) => entry.kind)).toEqual(expect.arrayContaining(['CHANGE', 'DISCLOSURE']));
    }
  });
});

describe('access to an operation', () => {
  it('is nothing for a non-member of either agency: not listed, null by id, and no more of a linked alert under its purpose and code', async () => {
    for (const user of ['xk-duty-officer', 'mk-duty-officer'] as const) {
      const listed = await ok(user, list, {}, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
      expect(listed.jointOperations.totalCount).toBe(0);
      expect((await ok(user, read, { id: operationId }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' })).jointOperation).toBeNull();
    }
    const partnerAlert = alertIds.XK[0];
    const own = await hub.query('mk-duty-officer', alertQuery, { id: partnerAlert }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
    expect(own.data!.alert.access.tier).toBe('HIT');
    const declared = await hub.query('mk-duty-officer', alertQuery, { id: partnerAlert }, inOperation);
    expect(codes(declared)).toEqual(['PURPOSE_NOT_ALLOWED']);
    expect(declared.data ?? null).toBeNull();
    // The member may still work in it; closed, the operation's release has ended: the owner's default policy (HIT) is left.
    expect((await ok('mk-border-officer', alertQuery, { id: partnerAlert })).alert.access).toMatchObject({ tier: 'HIT', basis: 'DEFAULT_POLICY' });
  });

  it('is refused by the owner’s node too when the gateway does not vouch for the membership', async () => {
    const localId = (await ok('xk-border-officer', alertQuery, { id: alertIds.XK[0] }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' })).alert.localId;
    const body = await callNodeAsGateway(hub, 'XK', 'mk-border-officer', null, 'query($id: ID!) { alert(id: $id) { reference } }', { id: localId }, inOperation);
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['PURPOSE_NOT_ALLOWED']);
    expect(body.data ?? null).toBeNull();
  });

  it('ends at once for a removed member', async () => {
    const second = await ok('xk-liaison', create, { input: operationInput({ code: 'XK-MK-JO-2026-02', codeName: 'KUFIRI' }) }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
    const id = second.createJointOperation.id;
    const inSecond = { purpose: 'JOINT_OPERATION', caseReference: 'XK-MK-JO-2026-02' };
    const added = await ok('mk-liaison', addMember, { id, input: member('mk-border-officer', 'ANALYST') }, inSecond);
    expect((await ok('mk-border-officer', read, { id }, inSecond)).jointOperation.myRole).toBe('ANALYST');
    await ok('mk-liaison', removeMember, { id, memberId: added.addOperationMember.id }, inSecond);
    expect(codes(await hub.query('mk-border-officer', read, { id }, inSecond))).toEqual(['PURPOSE_NOT_ALLOWED']);
    expect((await ok('mk-border-officer', read, { id }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' })).jointOperation).toBeNull();
  });
});

describe('illegal steps fail with a clear code and change nothing', () => {
  let plannedId: string;
  const inPlanned = { purpose: 'JOINT_OPERATION', caseReference: 'XK-MK-JO-2026-03' };

  beforeAll(async () => {
    plannedId = (await ok('xk-liaison', create, { input: operationInput({ code: 'XK-MK-JO-2026-03' }) }, inOperation)).createJointOperation.id;
    await ok('xk-liaison', addMember, { id: plannedId, input: member('xk-border-officer', 'MEMBER') }, inPlanned);
  });

  const refused = async (user: DemoUserName, query: string, variables: Record<string, unknown>, options: typeof inOperation, id: string) => {
    const before = await snapshot(id);
    const result = await hub.query(user, query, variables, options);
    expect(await snapshot(id)).toEqual(before);
    return codes(result);
  };

  it('closing a planned operation', async () => {
    expect(await refused('xk-liaison', changeStatus, { id: plannedId, input: { status: 'CLOSED' } }, inPlanned, plannedId)).toEqual(['INVALID_TRANSITION']);
  });

  it('a liaison adding a member of the other agency, and a non-liaison changing membership', async () => {
    expect(await refused('xk-liaison', addMember, { id: plannedId, input: member('mk-duty-officer', 'MEMBER') }, inPlanned, plannedId)).toEqual(['FORBIDDEN']);
    expect(await refused('xk-border-officer', addMember, { id: plannedId, input: member('xk-duty-officer', 'MEMBER') }, inPlanned, plannedId)).toEqual(['FORBIDDEN']);
    const { members } = (await ok('xk-liaison', read, { id: plannedId }, inPlanned)).jointOperation;
    const mkLiaison = members.find((m: any) => m.agency.code === 'MK').id;
    const xkMember = members.find((m: any) => m.officerSub === demoUsers['xk-border-officer'].sub).id;
    expect(await refused('xk-liaison', removeMember, { id: plannedId, memberId: mkLiaison }, inPlanned, plannedId)).toEqual(['FORBIDDEN']);
    expect(await refused('xk-border-officer', removeMember, { id: plannedId, memberId: xkMember }, inPlanned, plannedId)).toEqual(['FORBIDDEN']);
    expect(await refused('xk-border-officer', changeStatus, { id: plannedId, input: { status: 'ACTIVE' } }, inPlanned, plannedId)).toEqual(['FORBIDDEN']);
  });

  it('bad input: an unlinked alert in an entry, a correction of another operation’s entry, an ARREST without a count', async () => {
    const otherEntry = (await ok('xk-liaison', read, { id: operationId })).jointOperation.timeline[0].id;
    const entry = (input: Record<string, unknown>) => ({ id: plannedId, input: { kind: 'NOTE', occurredAt: '2026-11-25T05:30:00.000Z', text: 'x', ...input } });
    expect(await refused('xk-border-officer', addEntry, entry({ alertIds: [alertIds.XK[0]] }), inPlanned, plannedId)).toEqual(['VALIDATION_FAILED']);
    expect(await refused('xk-border-officer', addEntry, entry({ correctsId: otherEntry }), inPlanned, plannedId)).toEqual(['VALIDATION_FAILED']);
    expect(await refused('xk-border-officer', addEntry, entry({ kind: 'ARREST' }), inPlanned, plannedId)).toEqual(['VALIDATION_FAILED']);
  });

  it('any change to a closed or a cancelled operation', async () => {
    await ok('xk-liaison', changeStatus, { id: plannedId, input: { status: 'CANCELLED', reason: 'Superseded by SHPATA.' } }, inPlanned);
    for (const [id, options] of [[operationId, inOperation], [plannedId, inPlanned]] as const) {
      expect(await refused('xk-liaison', changeStatus, { id, input: { status: 'ACTIVE' } }, options, id)).toEqual(['INVALID_TRANSITION']);
      expect(await refused('xk-liaison', addMember, { id, input: member('xk-duty-officer', 'MEMBER') }, options, id)).toEqual(['INVALID_TRANSITION']);
      expect(await refused('xk-border-officer', addEntry, { id, input: { kind: 'NOTE', occurredAt: '2026-12-01T00:00:00.000Z', text: 'Late note.' } }, options, id)).toEqual(['INVALID_TRANSITION']);
      expect(await refused('xk-border-officer', link, { id, alertId: alertIds.XK[0] }, options, id)).toEqual(['INVALID_TRANSITION']);

    }
  });

  it('editing or deleting a timeline entry: there is no such operation, and the database refuses it, as the application role too', async () => {
    const edit = await hub.query('xk-liaison', `mutation { updateTimelineEntry(id: "x", text: "y") { id } }`, {}, inOperation);
    expect(codes(edit)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const before = await snapshot(operationId);
    const client = new pg.Client({ connectionString: hub.hubDatabase.applicationUrl });
    await client.connect();
    try {
      const attempt = (sql: string) => client.query(sql).then(() => 'changed', (error: { code?: string; message: string }) => `${error.code}: ${error.message}`);
      expect(await attempt(`update hub.timeline_entry set text = 'rewritten'`)).toMatch(/^42501/);
      expect(await attempt(`delete from hub.timeline_entry`)).toMatch(/^42501/);
      expect(await attempt(`truncate hub.timeline_entry`)).toMatch(/^42501/);
      expect(await attempt(`delete from hub.operation_update`)).toMatch(/^42501/);
      expect(await attempt(`update hub.operation_transition set actor_sub = 'someone else'`)).toMatch(/^42501/);
    } finally {
      await client.end();
    }
    // The owner is refused by the triggers.
    await expect(adminQuery(hub.hubDatabase.name, `update hub.timeline_entry set text = 'rewritten'`)).rejects.toThrow(/timeline_entry is append-only/);
    await expect(adminQuery(hub.hubDatabase.name, `delete from hub.timeline_entry`)).rejects.toThrow(/timeline_entry is append-only/);
    expect(await snapshot(operationId)).toEqual(before);
  });
});

describe('operationUpdates over graphql-ws', () => {
  const subscription = /* GraphQL */ `
    subscription($id: ID!, $after: String) {
      operationUpdates(operationId: $id, after: $after) { cursor seq kind member { officerSub } timelineEntry { text } linkedAlert { alertId } transition { toStatus } }
    }
  `;
  const clients: Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.dispose();
  });

  async function connect(user: DemoUserName, options: { purpose: string; caseReference: string }) {
    const token = await hub.token(user);
    const client = createClient({ url: webSocketUrl(hub.gatewayUrl), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${token}`, ...options } });
    clients.push(client);
    return client;
  }

  /** Takes `count` updates from a subscription, then disconnects. */
  async function take(client: Client, variables: Record<string, unknown>, count: number) {
    const received: any[] = [];
    const iterator = client.iterate({ query: subscription, variables });
    for await (const result of iterator) {
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      received.push(result.data!.operationUpdates);
      if (received.length === count) break;
    }
    return received;
  }

  it('delivers each change once, in order, live, and resumes after a disconnect without loss or duplicates', async () => {
    const id = (await ok('mk-liaison', create, { input: operationInput({ code: 'XK-MK-JO-2026-04', leadAgency: 'MK', partnerLiaisons: [{ officerSub: demoUsers['xk-liaison'].sub, agency: 'XK', unitCode: demoUsers['xk-liaison'].unit }] }) }, inOperation)).createJointOperation.id;
    const inFourth = { purpose: 'JOINT_OPERATION', caseReference: 'XK-MK-JO-2026-04' };
    await ok('mk-liaison', addMember, { id, input: member('mk-border-officer', 'MEMBER') }, inFourth);

    // Live: the member subscribes from the start, and changes made while it listens arrive in order.
    const first = await connect('mk-border-officer', inFourth);
    const live = take(first, { id }, 6);
    await ok('xk-liaison', changeStatus, { id, input: { status: 'ACTIVE' } }, inFourth);
    await ok('mk-border-officer', link, { id, alertId: alertIds.MK[0] }, inFourth);
    await ok('xk-liaison', addEntry, { id, input: { kind: 'ACTION', occurredAt: '2026-11-25T05:30:00.000Z', text: 'Checkpoint set up.' } }, inFourth);
    const delivered = await live;
    await first.dispose();
    expect(delivered.map((update) => update.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(delivered.map((update) => update.kind)).toEqual(['MEMBER_ADDED', 'MEMBER_ADDED', 'MEMBER_ADDED', 'STATUS_CHANGED', 'ALERT_LINKED', 'TIMELINE_ENTRY_ADDED']);
    expect(delivered[3].transition.toStatus).toBe('ACTIVE');
    expect(delivered[5].timelineEntry.text).toBe('Checkpoint set up.');

    // While disconnected, more happens; resuming after the last cursor gets exactly that.
    await ok('xk-liaison', addEntry, { id, input: { kind: 'NOTE', occurredAt: '2026-11-25T06:30:00.000Z', text: 'Quiet morning.' } }, inFourth);
    await ok('mk-liaison', addMember, { id, input: member('mk-duty-officer', 'ANALYST') }, inFourth);
    const second = await connect('mk-border-officer', inFourth);
    const resumed = take(second, { id, after: delivered.at(-1).cursor }, 3);
    await ok('mk-liaison', changeStatus, { id, input: { status: 'CLOSED' } }, inFourth);
    const rest = await resumed;
    expect(rest.map((update) => [update.seq, update.kind])).toEqual([
      [7, 'TIMELINE_ENTRY_ADDED'],
      [8, 'MEMBER_ADDED'],
      [9, 'STATUS_CHANGED'],
    ]);
    expect(rest[1].member.officerSub).toBe(demoUsers['mk-duty-officer'].sub);
  });

  it('refuses a non-member, over the socket as over HTTP', async () => {
    const client = await connect('xk-duty-officer', inOperation);
    // The subscription is refused before it starts: graphql-ws's error message, which the client throws.
    const refused = await (async () => {
      for await (const result of client.iterate({ query: subscription, variables: { id: operationId } })) return result;
    })().catch((errors: unknown) => errors);
    expect((refused as { extensions?: { code?: string } }[]).map((error) => error.extensions?.code)).toEqual(['PURPOSE_NOT_ALLOWED']);
  });
});
