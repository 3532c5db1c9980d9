import { expect } from 'vitest';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import { demoUsers, type TestHub } from './helpers.ts';

/** The documents of the joint-operation API the tests run. */
export const operationDocuments = {
  create: /* GraphQL */ `mutation($input: CreateJointOperationInput!) { createJointOperation(input: $input) { id code codeName status myRole leadAgency { code } participatingAgencies { code } area { borderCrossings greenBorderSectors municipalities } plannedPeriod { start end } actualPeriod { start end } } }`,
  changeStatus: /* GraphQL */ `mutation($id: ID!, $input: OperationStatusChangeInput!) { changeJointOperationStatus(id: $id, input: $input) { status actualPeriod { start end } } }`,
  addMember: /* GraphQL */ `mutation($id: ID!, $input: OperationMemberInput!) { addOperationMember(operationId: $id, input: $input) { id officerSub role } }`,
  removeMember: /* GraphQL */ `mutation($id: ID!, $memberId: ID!) { removeOperationMember(operationId: $id, memberId: $memberId) { removedAt } }`,
  link: /* GraphQL */ `mutation($id: ID!, $alertId: ID!) { linkAlertToOperation(operationId: $id, alertId: $alertId) { alertId } }`,
  addEntry: /* GraphQL */ `mutation($id: ID!, $input: TimelineEntryInput!) { addTimelineEntry(operationId: $id, input: $input) { id kind } }`,
  release: /* GraphQL */ `mutation($id: ID!, $input: OperationReleaseInput!) { setOperationRelease(operationId: $id, input: $input) { owner { code } tier expiresAt } }`,
};

/** Working in an operation: the purpose JOINT_OPERATION with its code. */
export const workingInOperation = (code: string) => ({ purpose: 'JOINT_OPERATION', caseReference: code });

/** A member input for a demo user. */
export const memberInput = (user: DemoUserName, role: string) => ({ officerSub: demoUsers[user].sub, agency: demoUsers[user].agency, unitCode: demoUsers[user].unit, role });

/** A valid plan of an XK-led operation of XK and MK, named by the XK liaison, with the MK liaison named for MK. */
export function operationInput(code: string, overrides: Record<string, unknown> = {}) {
  return {
    code,
    codeName: 'SHPATA',
    objective: 'Stop the trafficking of pistols and ammunition through the Hani i Elezit / Blace crossing.',
    legalBasis: 'Agreement on police cooperation between Kosovo and North Macedonia, Art. 12 (joint operations).',
    leadAgency: 'XK',
    participatingAgencies: ['XK', 'MK'],
    area: { borderCrossings: ['HANI_I_ELEZIT_BLACE'], greenBorderSectors: ['Sector Kaçanik'], municipalities: ['Hani i Elezit'] },
    plannedStart: '2026-11-20T06:00:00.000Z',
    plannedEnd: '2026-12-20T18:00:00.000Z',
    partnerLiaisons: [{ officerSub: demoUsers['mk-liaison'].sub, agency: 'MK', unitCode: demoUsers['mk-liaison'].unit }],
    ...overrides,
  };
}

/** An instant `days` from now, as the API takes it. */
export const daysFromNow = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

/** Runs an operation and expects it to succeed. */
export async function succeed<T = any>(hub: TestHub, user: DemoUserName, query: string, variables: Record<string, unknown>, options: { purpose: string; caseReference?: string }): Promise<T> {
  const result = await hub.query(user, query, variables, options);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data as T;
}

/**
 * Plans an active operation of XK and MK through the API: the demo liaisons,
 * each adding the members of their agency given, then XK's liaison activates it.
 */
export async function activeOperation(hub: TestHub, code: string, members: readonly [DemoUserName, string][]): Promise<string> {
  const planned = await succeed(hub, 'xk-liaison', operationDocuments.create, { input: operationInput(code) }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
  const id = planned.createJointOperation.id as string;
  for (const [user, role] of members) {
    await succeed(hub, demoUsers[user].agency === 'XK' ? 'xk-liaison' : 'mk-liaison', operationDocuments.addMember, { id, input: memberInput(user, role) }, workingInOperation(code));
  }
  await succeed(hub, 'xk-liaison', operationDocuments.changeStatus, { id, input: { status: 'ACTIVE' } }, workingInOperation(code));
  return id;
}
