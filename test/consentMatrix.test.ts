import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../src/consent/agreement.ts';
import type { Role } from '../src/identity/roles.ts';
import { expectedTier, expectedTraceRequestTier, fieldsAt, traceRequestFieldsAt, type Scenario, type TierName } from './consentOracle.ts';
import { alertFields, alertInput, createAlertMutation } from './fixtures.ts';
import { codes, enrolInJointOperation, graphql, startTestHub, testPurpose, type TestHub } from './helpers.ts';

// Every cell of agencies × roles × tiers × purposes × grant states, through
// the gateway: for each, exactly the fields the agreement assigns to the
// expected tier come back, and nothing above it.

const policyStates = {
  default: { handlingCode: 'H0', rule: null, ageDays: 0 },
  // The default policy's validity (365 days) from both sides.
  defaultLastDay: { handlingCode: 'H0', rule: null, ageDays: agreement.defaultPolicy.validityDays - 1 },
  defaultEnded: { handlingCode: 'H0', rule: null, ageDays: agreement.defaultPolicy.validityDays + 1 },
  ruleSummaryOld: { handlingCode: 'H0', rule: { tier: 'SUMMARY', purposes: Object.keys(agreement.purposes), expired: false }, ageDays: 2 * agreement.defaultPolicy.validityDays },
  defaultH2: { handlingCode: 'H2', rule: null },
  ruleNone: { handlingCode: 'H0', rule: { tier: 'NONE', purposes: Object.keys(agreement.purposes), expired: false } },
  ruleHit: { handlingCode: 'H0', rule: { tier: 'HIT', purposes: Object.keys(agreement.purposes), expired: false } },
  ruleSummary: { handlingCode: 'H1', rule: { tier: 'SUMMARY', purposes: Object.keys(agreement.purposes), expired: false } },
  ruleFull: { handlingCode: 'H2', rule: { tier: 'FULL', purposes: Object.keys(agreement.purposes), expired: false } },
  ruleFullExpired: { handlingCode: 'H0', rule: { tier: 'FULL', purposes: Object.keys(agreement.purposes), expired: true } },
  ruleFullBorderOnly: { handlingCode: 'H0', rule: { tier: 'FULL', purposes: ['BORDER_CHECK'], expired: false } },
} satisfies Record<string, Pick<Scenario, 'handlingCode' | 'rule'> & { ageDays?: number }>;

const grant = (changes: Partial<Scenario['grants'][number]>) => ({
  tier: 'FULL' as TierName,
  purpose: testPurpose.purpose,
  caseReference: testPurpose.caseReference,
  expired: false,
  revoked: false,
  ...changes,
});
const grantStates = {
  none: [],
  valid: [grant({})],
  expired: [grant({ expired: true })],
  revoked: [grant({ revoked: true })],
  otherRecord: [], // the grant exists, on another alert: see beforeAll
  otherPurpose: [grant({ purpose: 'FIREARM_TRACE' })],
} satisfies Record<string, Scenario['grants']>;

const purposes: { purpose: string; caseReference: string | null }[] = Object.entries(agreement.purposes).map(([purpose, rules]) => ({
  purpose,
  caseReference: rules.caseReferenceRequired ? testPurpose.caseReference : null,
}));
const roles: Role[] = ['officer', 'analyst', 'duty_officer', 'liaison', 'admin'];

let hub: TestHub;
const cells = new Map<string, { policy: keyof typeof policyStates; grants: keyof typeof grantStates }>();

beforeAll(async () => {
  hub = await startTestHub();
  // Every caller may declare JOINT_OPERATION with the test case reference: they are members of that operation.
  await enrolInJointOperation(
    hub,
    testPurpose.caseReference,
    ['XK', 'MK'].flatMap((agency) => roles.flatMap((role) => ['matrix', 'trace'].map((kind) => ({ sub: `${agency.toLowerCase()}.${kind}.${role}`, agency, unit: `${agency}-DUTY` })))),
  );
  const prisma = hub.nodes.get('XK')!.prisma;
  const day = 24 * 3600 * 1000;
  const decoy = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'decoy' }) });
  for (const [policyName, policy] of Object.entries(policyStates)) {
    for (const [grantName, grants] of Object.entries(grantStates)) {
      const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: `${policyName}/${grantName}` }) });
      const id: string = created.data!.createAlert.localId;
      cells.set(id, { policy: policyName as keyof typeof policyStates, grants: grantName as keyof typeof grantStates });
      const ageDays = 'ageDays' in policy ? policy.ageDays : 0;
      await prisma.alert.update({ where: { id }, data: { handlingCode: policy.handlingCode, createdAt: new Date(Date.now() - ageDays * day) } });
      if (policy.rule) {
        await prisma.sharingRule.create({
          data: {
            alertId: id,
            partnerAgency: 'MK',
            tier: policy.rule.tier,
            purposes: policy.rule.purposes,
            expiresAt: new Date(Date.now() + (policy.rule.expired ? -day : 30 * day)),
            setBy: 'xk.matrix',
          },
        });
      }
      for (const g of grants) {
        await prisma.consentGrant.create({
          data: {
            alertId: id,
            granteeAgency: 'MK',
            tier: g.tier,
            purpose: g.purpose,
            caseReference: g.caseReference,
            expiresAt: new Date(Date.now() + (g.expired ? -day : 30 * day)),
            grantedBy: 'xk.matrix',
            ...(g.revoked ? { revokedAt: new Date(), revokedBy: 'xk.matrix', revocationReason: 'matrix' } : {}),
          },
        });
      }
      if (grantName === 'otherRecord') {
        await prisma.consentGrant.create({
          data: {
            alertId: decoy.data!.createAlert.localId,
            granteeAgency: 'MK',
            tier: 'FULL',
            purpose: testPurpose.purpose,
            caseReference: testPurpose.caseReference,
            expiresAt: new Date(Date.now() + 30 * day),
            grantedBy: 'xk.matrix',
          },
        });
      }
    }
  }
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const listQuery = `query { alerts(first: 100, agencies: ["XK"]) { edges { node { ${alertFields} sharingPolicy { handlingCode } } } } }`;

describe('consent matrix: agencies × roles × tiers × purposes × grant states', () => {
  it('releases exactly the fields of the expected tier in every cell', async () => {
    let checked = 0;
    for (const agency of ['XK', 'MK'] as const) {
      for (const role of roles) {
        const token = await hub.token({ sub: `${agency.toLowerCase()}.matrix.${role}`, agency, unit: `${agency}-DUTY`, roles: [role] });
        for (const { purpose, caseReference } of purposes) {
          const result = await graphql(hub.gatewayUrl, listQuery, {}, { token, purpose, caseReference });
          // A supervision purpose is refused outright for operational data; every cell is then at NONE.
          const operational = agreement.purposes[purpose]!.operational;
          expect(codes(result), `${agency} ${role} ${purpose}`).toEqual(operational ? [] : ['PURPOSE_NOT_ALLOWED']);
          const released = new Map<string, Record<string, unknown>>(
            (result.data?.alerts.edges ?? []).map((edge: { node: Record<string, unknown> }) => [edge.node.localId as string, edge.node]),
          );
          for (const [id, cell] of cells) {
            const scenario: Scenario = {
              domestic: agency === 'XK',
              roles: [role],
              purpose,
              caseReference,
              handlingCode: policyStates[cell.policy].handlingCode as Scenario['handlingCode'],
              ageDays: (policyStates[cell.policy] as { ageDays?: number }).ageDays ?? 0,
              rule: policyStates[cell.policy].rule as Scenario['rule'],
              grants: grantStates[cell.grants],
            };
            const tier = expectedTier(scenario);
            const where = `${agency} ${role} ${purpose} ${cell.policy}/${cell.grants}`;
            const alert = released.get(id);
            if (tier === 'NONE') {
              expect(alert, where).toBeUndefined();
            } else {
              expect(alert, where).toBeDefined();
              expect((alert!.access as { tier: string }).tier, where).toBe(tier);
              const { present, absent } = fieldsAt(tier);
              for (const field of present.filter((name) => name in alert!)) expect(alert![field], `${where}: ${field}`).not.toBeNull();
              for (const field of absent) expect(alert![field], `${where}: ${field}`).toBeNull();
              expect(alert!.sharingPolicy === null, `${where}: sharingPolicy`).toBe(agency !== 'XK');
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(2 * roles.length * purposes.length * cells.size);
  });

  it('gives auditors no operational data at all, for any purpose', async () => {
    const token = await hub.token('xk-auditor');
    for (const { purpose, caseReference } of purposes) {
      expect(codes(await graphql(hub.gatewayUrl, listQuery, {}, { token, purpose, caseReference }))).toEqual(['FORBIDDEN']);
    }
  });

  it('releases a trace request to the addressed agency at the agreement\u2019s tier, within purpose and roles', async () => {
    const firearmId = (await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'traced' }) })).data!.createAlert.summary.firearms[0].id;
    const submitted = await hub.query('xk-border-officer', `mutation($input: SubmitTraceRequestInput!) { submitTraceRequest(input: $input) { id } }`, {
      input: { firearmId, addressedTo: 'MK', question: 'First legal owner, please.' },
    });
    expect(submitted.errors).toBeUndefined();
    const query = `{ traceRequests(first: 10) { edges { node { id alertId reference requestingAgency addressedTo alertReference status createdAt updatedAt tier firearm { serialNumber } question answer transitions { toStatus } } } } }`;
    let checked = 0;
    for (const agency of ['XK', 'MK'] as const) {
      for (const role of roles) {
        const token = await hub.token({ sub: `${agency.toLowerCase()}.trace.${role}`, agency, unit: `${agency}-DUTY`, roles: [role] });
        for (const { purpose, caseReference } of purposes) {
          const result = await graphql(hub.gatewayUrl, query, {}, { token, purpose, caseReference });
          const where = `${agency} ${role} ${purpose}`;
          const tier = expectedTraceRequestTier({ requester: agency === 'XK', roles: [role], purpose });
          const node = (result.data?.traceRequests.edges ?? []).map((edge: any) => edge.node).find((candidate: any) => candidate.id === submitted.data!.submitTraceRequest.id);
          if (tier === 'NONE') {
            expect(node, where).toBeUndefined();
          } else {
            expect(result.errors, where).toBeUndefined();
            expect(node.tier, where).toBe(tier);
            const { present, absent } = traceRequestFieldsAt(tier);
            for (const field of present.filter((name) => name in node && name !== 'answer')) expect(node[field], `${where}: ${field}`).not.toBeNull();
            for (const field of absent) expect(node[field], `${where}: ${field}`).toBeNull();
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(2 * roles.length * purposes.length);
  });
});
