import { expect } from 'vitest';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import { mintGatewayCredential, type VerifiedMembership } from '../src/identity/gatewayCredential.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import type { OfficerClaims } from '../src/identity/mintOfficerToken.ts';
import { demoUsers, graphql, purposeHeaders, type GraphQLResult, type TestHub } from './helpers.ts';

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

/** A member input for a demo user, or for any officer. */
export function memberInput(user: DemoUserName | OfficerClaims, role: string) {
  const officer = typeof user === 'string' ? demoUsers[user] : user;
  return { officerSub: officer.sub, agency: officer.agency, unitCode: officer.unit, role };
}

/**
 * Officers of each agency whose role decides consent (duty_officer): they
 * release their agency's alerts to an operation once members of it. Not demo
 * users, so that a test can keep the demo duty officers out of an operation.
 */
export const deciders = {
  XK: { sub: 'xk.duty.operations', agency: 'XK', unit: 'XK-DUTY', roles: ['duty_officer'] },
  MK: { sub: 'mk.duty.operations', agency: 'MK', unit: 'MK-DUTY', roles: ['duty_officer'] },
} as const satisfies Record<string, OfficerClaims>;

/** Runs an operation against the gateway as any officer. */
export async function asOfficer<T = any>(hub: TestHub, officer: OfficerClaims, query: string, variables: Record<string, unknown>, options: { purpose: string; caseReference?: string }): Promise<GraphQLResult<T>> {
  return graphql<T>(hub.gatewayUrl, query, variables, { ...options, token: await hub.token(officer) });
}

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

/**
 * Calls an agency node straight, with a gateway credential made with the
 * gateway's own key: what a compromised gateway can send, vouching for any
 * membership it likes, with an officer's token.
 */
export async function callNodeAsGateway(
  hub: TestHub,
  agency: string,
  officer: DemoUserName | OfficerClaims,
  membership: VerifiedMembership | null,
  query: string,
  variables: Record<string, unknown>,
  options: { purpose: string; caseReference?: string },
): Promise<GraphQLResult> {
  const token = await hub.token(officer);
  const response = await fetch(hub.nodes.get(agency)!.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await mintGatewayCredential(hub.keys.gateway, agency, token, membership)}`,
      [officerTokenHeader]: token,
      ...purposeHeaders(options),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphQLResult, 'status'>) };
}
