import { termDigest } from '../src/audit/termDigests.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNamedType, isInterfaceType, isObjectType, type GraphQLNamedType, type GraphQLObjectType } from 'graphql';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { splitOwnedId } from '../src/gateway/globalId.ts';
import { gatewaySchema } from '../src/gateway/schema/index.ts';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import { alertInput } from './fixtures.ts';
import { adminQuery, codes, demoUsers, graphql, graphqlOverWebSocket, openSocket, startTestHub, testPurpose, type TestHub } from './helpers.ts';

// Every root field of the public schema, called once as a client would: each
// call leaves its consultation entry in the gateway's log, naming who, why,
// what operation and which records of which agency at which tier.

let hub: TestHub;
const state: Record<string, string> = {};

interface Step {
  field: string;
  user: DemoUserName;
  /** Operation name: the entry records "query Name" or "mutation Name". */
  name: string;
  document: () => string;
  variables?: () => Record<string, unknown>;
  after?: (data: any) => void;
  /** Records the entry must name (agency and whether at least one). */
  records?: string[];
  /** Purpose declared, when not the investigators' default. */
  purpose?: { purpose: string; caseReference: string | null };
  /** Run over graphql-ws (subscriptions): the entry is written when the subscription starts. */
  socket?: boolean;
  /** A change of what the hub database holds: its entry is the CHANGE written in the change's transaction. */
  change?: boolean;
}

const operationCode = 'XK-MK-JO-AUDIT';
const inOperation = { purpose: 'JOINT_OPERATION', caseReference: operationCode };

const inMonth = () => new Date(Date.now() + 30 * 864e5).toISOString();

const steps: Step[] = [
  { field: 'viewer', user: 'xk-border-officer', name: 'Me', document: () => 'query Me { viewer { sub } }' },
  { field: 'agencies', user: 'xk-liaison', name: 'Directory', document: () => 'query Directory { agencies { code } }' },
  {
    field: 'createAlert',
    user: 'xk-border-officer',
    name: 'Report',
    document: () => 'mutation Report($input: CreateAlertInput!) { createAlert(input: $input) { id localId summary { firearms { id } } } }',
    variables: () => ({ input: alertInput() }),
    after: (data) => {
      state.alertId = data.createAlert.id;
      state.firearmId = data.createAlert.summary.firearms[0].id;
    },
    records: ['XK'],
  },
  {
    field: 'alerts',
    user: 'mk-border-officer',
    name: 'Feed',
    document: () => 'query Feed { alerts(first: 5) { edges { node { id access { tier } } } } }',
    records: ['XK'],
  },
  { field: 'alert', user: 'mk-border-officer', name: 'One', document: () => 'query One($id: ID!) { alert(id: $id) { id } }', variables: () => ({ id: state.alertId }), records: ['XK'] },
  {
    field: 'search',
    user: 'mk-border-officer',
    name: 'Hit',
    document: () => 'query Hit($input: SearchInput!) { search(input: $input) { outcome hits { alert { id } } } }',
    variables: () => ({ input: { serialNumber: 'm70 481516' } }),
    records: ['XK'],
  },
  {
    field: 'updateAlert',
    user: 'xk-border-officer',
    name: 'Escalate',
    document: () => 'mutation Escalate($id: ID!) { updateAlert(id: $id, expectedVersion: 1, input: { status: UNDER_INVESTIGATION }) { id } }',
    variables: () => ({ id: state.alertId }),
    records: ['XK'],
  },
  {
    field: 'setSharingPolicy',
    user: 'xk-border-officer',
    name: 'Share',
    document: () => 'mutation Share($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }',
    variables: () => ({ id: state.alertId, input: { handlingCode: 'H1' } }),
    records: ['XK'],
  },
  {
    field: 'requestConsent',
    user: 'mk-border-officer',
    name: 'Ask',
    document: () => 'mutation Ask($input: ConsentRequestInput!) { requestConsent(input: $input) { id alertId } }',
    variables: () => ({ input: { alertId: state.alertId, tier: 'FULL', justification: 'Suspect in our investigation.' } }),
    after: (data) => (state.requestId = data.requestConsent.id),
    records: ['XK'],
  },
  {
    field: 'consentRequests',
    user: 'xk-duty-officer',
    name: 'Inbox',
    document: () => 'query Inbox { consentRequests(filter: { direction: INCOMING }) { edges { node { id alertId } } } }',
    records: ['XK'],
  },
  {
    field: 'decideConsentRequest',
    user: 'xk-duty-officer',
    name: 'Decide',
    document: () => 'mutation Decide($id: ID!, $input: ConsentDecisionInput!) { decideConsentRequest(id: $id, input: $input) { id alertId grant { id alertId } } }',
    variables: () => ({ id: state.requestId, input: { decision: 'GRANT', expiresAt: inMonth(), reason: 'Joint case.' } }),
    after: (data) => (state.grantId = data.decideConsentRequest.grant.id),
    records: ['XK'],
  },
  {
    field: 'revokeConsentGrant',
    user: 'xk-duty-officer',
    name: 'Revoke',
    document: () => 'mutation Revoke($id: ID!) { revokeConsentGrant(id: $id, reason: "Case closed.") { id alertId } }',
    variables: () => ({ id: state.grantId }),
    records: ['XK'],
  },
  {
    field: 'createWatchEntry',
    user: 'mk-border-officer',
    name: 'Watch',
    document: () => 'mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }',
    variables: () => ({ input: { plate: '01-234-AB', plateCountry: 'XK', expiresAt: inMonth() } }),
    after: (data) => (state.watchEntryId = data.createWatchEntry.id),
    records: ['MK'],
  },
  {
    field: 'watchEntries',
    user: 'mk-border-officer',
    name: 'Watching',
    document: () => 'query Watching { watchEntries { edges { node { id label } } } }',
    records: ['MK'],
  },
  {
    field: 'removeWatchEntry',
    user: 'mk-border-officer',
    name: 'Unwatch',
    document: () => 'mutation Unwatch($id: ID!) { removeWatchEntry(id: $id) { id status } }',
    variables: () => ({ id: state.watchEntryId }),
    records: ['MK'],
  },
  {
    field: 'submitTraceRequest',
    user: 'xk-border-officer',
    name: 'Trace',
    document: () => 'mutation Trace($input: SubmitTraceRequestInput!) { submitTraceRequest(input: $input) { id } }',
    variables: () => ({ input: { firearmId: state.firearmId, addressedTo: 'MK', question: 'Where was this pistol sold?' } }),
    after: (data) => (state.traceId = data.submitTraceRequest.id),
    records: ['XK'],
  },
  {
    field: 'traceRequests',
    user: 'mk-duty-officer',
    name: 'Traces',
    document: () => 'query Traces { traceRequests { edges { node { id } } } }',
    records: ['XK'],
  },
  { field: 'node', user: 'mk-border-officer', name: 'ByNode', document: () => 'query ByNode($id: ID!) { node(id: $id) { id } }', variables: () => ({ id: state.alertId }), records: ['XK'] },
  {
    field: 'nodes',
    user: 'mk-border-officer',
    name: 'ByNodes',
    document: () => 'query ByNodes($ids: [ID!]!) { nodes(ids: $ids) { id } }',
    variables: () => ({ ids: [state.alertId, state.traceId, state.alertId] }),
    records: ['XK'],
  },
  {
    field: 'advanceTraceRequest',
    user: 'mk-duty-officer',
    name: 'Acknowledge',
    document: () => 'mutation Acknowledge($id: ID!) { advanceTraceRequest(id: $id, input: { status: ACKNOWLEDGED }) { id } }',
    variables: () => ({ id: state.traceId }),
    records: ['XK'],
  },
  {
    field: 'auditEntries',
    user: 'xk-auditor',
    name: 'Review',
    document: () => 'query Review { auditEntries(party: "XK", first: 5) { totalCount edges { node { seq kind } } } }',
    purpose: { purpose: 'AUDIT', caseReference: null },
  },
  {
    field: 'exchangeAuditCheckpoints',
    user: 'xk-auditor',
    name: 'Exchange',
    document: () => 'mutation Exchange { exchangeAuditCheckpoints { party seq } }',
    purpose: { purpose: 'AUDIT', caseReference: null },
  },
  {
    field: 'auditActivity',
    user: 'xk-auditor',
    name: 'Activity',
    document: () => 'query Activity { auditActivity(party: "XK") { accessesByPurpose { key } } }',
    purpose: { purpose: 'AUDIT', caseReference: null },
  },
  {
    field: 'jointPicture',
    user: 'mk-analyst',
    name: 'Picture',
    document: () => 'query Picture { jointPicture(input: { dimensions: [PLACE], from: "2026-03", to: "2026-03" }) { periods tables { agency } } }',
    purpose: { purpose: 'RISK_ANALYSIS', caseReference: null },
  },
  { field: 'statisticsPlaces', user: 'mk-analyst', name: 'Places', document: () => 'query Places { statisticsPlaces { code } }', purpose: { purpose: 'RISK_ANALYSIS', caseReference: null } },
  {
    field: 'auditChains',
    user: 'xk-auditor',
    name: 'Chains',
    document: () => 'query Chains { auditChains { entryCount headHash } }',
    purpose: { purpose: 'AUDIT', caseReference: null },
  },
  {
    field: 'auditChainChecks',
    user: 'xk-auditor',
    name: 'ChainChecks',
    document: () => 'query ChainChecks { auditChainChecks { party status } }',
    purpose: { purpose: 'AUDIT', caseReference: null },
  },
  {
    field: 'auditCheckpoints',
    user: 'xk-auditor',
    name: 'Checkpoints',
    document: () => 'query Checkpoints { auditCheckpoints { party seq } }',
    purpose: { purpose: 'AUDIT', caseReference: null },
  },
  {
    field: 'auditCheckpointConflicts',
    user: 'xk-auditor',
    name: 'Conflicts',
    document: () => 'query Conflicts { auditCheckpointConflicts { party seq } }',
    purpose: { purpose: 'AUDIT', caseReference: null },
  },
  {
    field: 'recordDisclosures',
    user: 'xk-auditor',
    name: 'Trail',
    document: () => 'query Trail($id: ID!) { recordDisclosures(alertId: $id) { party kind } }',
    variables: () => ({ id: state.alertId }),
    purpose: { purpose: 'AUDIT', caseReference: null },
  },
  // A joint operation: planned under any purpose, then worked in under JOINT_OPERATION with its code.
  {
    field: 'createJointOperation',
    user: 'xk-liaison',
    name: 'Plan',
    document: () => 'mutation Plan($input: CreateJointOperationInput!) { createJointOperation(input: $input) { id code } }',
    variables: () => ({
      input: {
        code: operationCode,
        codeName: 'AUDITED',
        objective: 'Audit trail of a joint operation.',
        legalBasis: 'Test.',
        leadAgency: 'XK',
        participatingAgencies: ['XK', 'MK'],
        area: { borderCrossings: ['HANI_I_ELEZIT_BLACE'] },
        plannedStart: new Date().toISOString(),
        plannedEnd: inMonth(),
        partnerLiaisons: [{ officerSub: demoUsers['mk-liaison'].sub, agency: 'MK', unitCode: demoUsers['mk-liaison'].unit }],
      },
    }),
    after: (data) => {
      state.operationId = data.createJointOperation.id;
    },
    records: ['HUB'],
    change: true,
  },
  {
    field: 'jointOperations',
    user: 'mk-liaison',
    name: 'Operations',
    document: () => 'query Operations { jointOperations(first: 5) { edges { node { id code } } } }',
    records: ['HUB'],
    purpose: inOperation,
  },
  {
    field: 'jointOperation',
    user: 'mk-liaison',
    name: 'Operation',
    document: () => 'query Operation($id: ID!) { jointOperation(id: $id) { id status timeline { kind } } }',
    variables: () => ({ id: state.operationId }),
    records: ['HUB'],
    purpose: inOperation,
  },
  {
    field: 'addOperationMember',
    user: 'xk-liaison',
    name: 'Enrol',
    document: () => 'mutation Enrol($id: ID!, $input: OperationMemberInput!) { addOperationMember(operationId: $id, input: $input) { id operationId } }',
    // XK's duty officer, who decides XK's consent: it releases XK's linked alerts below.
    variables: () => ({ id: state.operationId, input: { officerSub: demoUsers['xk-duty-officer'].sub, agency: 'XK', unitCode: demoUsers['xk-duty-officer'].unit, role: 'MEMBER' } }),
    after: (data) => {
      state.memberId = data.addOperationMember.id;
    },
    records: ['HUB'],
    change: true,
    purpose: inOperation,
  },
  {
    field: 'changeJointOperationStatus',
    user: 'xk-liaison',
    name: 'Activate',
    document: () => 'mutation Activate($id: ID!) { changeJointOperationStatus(id: $id, input: { status: ACTIVE }) { id status } }',
    variables: () => ({ id: state.operationId }),
    records: ['HUB'],
    change: true,
    purpose: inOperation,
  },
  {
    field: 'linkAlertToOperation',
    user: 'xk-liaison',
    name: 'Link',
    document: () => 'mutation Link($id: ID!, $alertId: ID!) { linkAlertToOperation(operationId: $id, alertId: $alertId) { operationId alertId } }',
    variables: () => ({ id: state.operationId, alertId: state.alertId }),
    records: ['HUB'],
    change: true,
    purpose: inOperation,
  },
  {
    field: 'addTimelineEntry',
    user: 'xk-liaison',
    name: 'Note',
    document: () => 'mutation Note($id: ID!, $input: TimelineEntryInput!) { addTimelineEntry(operationId: $id, input: $input) { id operationId } }',
    variables: () => ({ id: state.operationId, input: { kind: 'NOTE', occurredAt: new Date().toISOString(), text: 'Audited note.' } }),
    records: ['HUB'],
    change: true,
    purpose: inOperation,
  },
  {
    field: 'setOperationRelease',
    user: 'xk-duty-officer',
    name: 'Release',
    document: () => 'mutation Release($id: ID!, $expiresAt: DateTime!) { setOperationRelease(operationId: $id, input: { tier: SUMMARY, expiresAt: $expiresAt }) { operationId tier } }',
    variables: () => ({ id: state.operationId, expiresAt: inMonth() }),
    records: ['HUB'],
    change: true,
    purpose: inOperation,
  },
  {
    field: 'removeOperationMember',
    user: 'xk-liaison',
    name: 'Release',
    document: () => 'mutation Release($id: ID!, $memberId: ID!) { removeOperationMember(operationId: $id, memberId: $memberId) { id operationId } }',
    variables: () => ({ id: state.operationId, memberId: state.memberId }),
    records: ['HUB'],
    change: true,
    purpose: inOperation,
  },
  {
    field: 'operationUpdates',
    user: 'mk-liaison',
    name: 'Follow',
    document: () => 'subscription Follow($id: ID!) { operationUpdates(operationId: $id) { seq kind operation { id } } }',
    variables: () => ({ id: state.operationId }),
    records: ['HUB'],
    purpose: inOperation,
    socket: true,
  },
];

interface EntryRow {
  kind: string;
  actor_sub: string | null;
  actor_agency: string | null;
  purpose: string | null;
  case_reference: string | null;
  operation: string | null;
  document_hash: string | null;
  client_address: string | null;
  variables: unknown;
  digests: { path: string; kind: string; digest: string }[] | null;
  records: { agency: string; id: string; tier?: string }[];
  outcome: string;
  error_code: string | null;
  details: Record<string, unknown> | null;
}

/** The public types whose objects are records released by a node, and how a response names the record each stands for. */
const recordTypes: Record<string, (object: Record<string, unknown>) => string> = {
  Alert: (object) => ownedRecord(object.id),
  TraceRequest: (object) => ownedRecord(object.id),
  // A consent request or grant stands for the alert it concerns.
  ConsentRequest: (object) => ownedRecord(object.alertId),
  ConsentGrant: (object) => ownedRecord(object.alertId),
  // A watch entry is a record of the watching unit's agency.
  WatchEntry: (object) => ownedRecord(object.id),
  // What the hub holds: a joint operation (its parts stand for it: see recordsIn).
  JointOperation: (object) => ownedRecord(object.id),
};

function ownedRecord(globalId: unknown): string {
  if (typeof globalId !== 'string') throw new Error('the step must select the id (and alertId of consent requests and grants) of every record');
  const { agency, localId } = splitOwnedId(decodeGlobalID(globalId).id);
  return `${agency}:${localId}`;
}

/** The type a global id names; '' for the local ids of firearms and the like. */
function typenameOf(id: string): string {
  try {
    return decodeGlobalID(id).typename;
  } catch {
    return '';
  }
}

/** Whether a field of this type can carry a released record, at any depth. */
function carriesRecords(type: GraphQLNamedType, seen = new Set<string>()): boolean {
  if (type.name in recordTypes) return true;
  if (seen.has(type.name) || !(isObjectType(type) || isInterfaceType(type))) return false;
  seen.add(type.name);
  const possible = isInterfaceType(type) ? gatewaySchema.getPossibleTypes(type) : [];
  return [...possible, ...Object.values(type.getFields()).map((field) => getNamedType(field.type))].some((inner) => carriesRecords(inner, seen));
}

/** The records a response holds, as agency:id: every object whose global id names a record type. */
function recordsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => recordsIn(item, found));
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const typename = typeof object.id === 'string' ? typenameOf(object.id) : '';
    if (typename in recordTypes) found.add(recordTypes[typename]!(object));
    // A part of a joint operation (member, timeline entry, link, release) stands for the operation it names.
    if (typeof object.operationId === 'string' && typenameOf(object.operationId) === 'JointOperation') found.add(ownedRecord(object.operationId));
    Object.values(object).forEach((inner) => recordsIn(inner, found));
  }
  return found;
}

/** Runs a step over graphql-ws, to its first event. */
async function onSocket(step: Step) {
  const { purpose, caseReference } = step.purpose ?? testPurpose;
  await using socket = openSocket(hub.gatewayUrl, { authorization: `Bearer ${await hub.token(step.user)}`, purpose, caseReference });
  return await socket.run(step.document(), step.variables?.() ?? {});
}

const lastEntry = async () =>
  (await adminQuery<EntryRow>(hub.hubDatabase.name, 'select * from audit.entry order by seq desc limit 1'))[0];

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('consultation log at the gateway', () => {
  // The feed's subscriptions push nothing at once: `hits` is covered by test/hits.test.ts, `alertShared` and
  // `consentEvents` by test/sharingEvents.test.ts (the entry of subscribing and of every push, at both ends).
  it('has a step for every root field of the public schema', () => {
    const fields = ['Query', 'Mutation', 'Subscription'].flatMap((name) => {
      const type = gatewaySchema.getType(name) as GraphQLObjectType | undefined;
      return type ? Object.keys(type.getFields()) : [];
    }).filter((field) => !['hits', 'alertShared', 'consentEvents'].includes(field));
    expect(steps.map((step) => step.field).sort()).toEqual(fields.sort());
  });

  // Subscriptions: test/hits.test.ts checks the consultation entry of subscribing and of every hit pushed.
  it('knows which root fields release records', () => {
    const releasing = ['Query', 'Mutation'].flatMap((name) => {
      const type = gatewaySchema.getType(name) as GraphQLObjectType | undefined;
      return Object.values(type?.getFields() ?? {})
        .filter((field) => carriesRecords(getNamedType(field.type)))
        .map((field) => field.name);
    });
    // A new type of record must be added to recordTypes; this list only shows what the schema says today.
    expect(releasing.length).toBeGreaterThan(0);
    for (const field of releasing) expect(steps.find((step) => step.field === field)?.records, field).toBeDefined();
  });

  it('leaves, for every root field, an entry saying who, why, what and which records', async () => {
    for (const step of steps) {
      const result = step.socket ? await onSocket(step) : await hub.query(step.user, step.document(), step.variables?.() ?? {}, step.purpose ?? {});
      expect(result.errors, step.field).toBeUndefined();
      step.after?.(result.data);
      const entry = await lastEntry();
      const kind = step.document().split(' ')[0];
      expect(entry, step.field).toMatchObject({
        kind: step.change ? 'CHANGE' : 'CONSULTATION',
        actor_sub: demoUsers[step.user].sub,
        actor_agency: demoUsers[step.user].agency,
        purpose: (step.purpose ?? testPurpose).purpose,
        case_reference: (step.purpose ?? testPurpose).caseReference,
        operation: `${kind} ${step.name}`,
        outcome: 'OK',
        error_code: null,
      });
      expect(entry!.document_hash, step.field).toMatch(/^[0-9a-f]{64}$/);
      // The entry names exactly the records the client received: no more, no fewer.
      const named = entry!.records.map((record) => `${record.agency}:${record.id}`);
      expect(named.length, `${step.field} names each record once`).toBe(new Set(named).size);
      expect(new Set(named), `${step.field}: records noted = records in the response`).toEqual(recordsIn(result.data));
      if (step.records) expect(named.length, `${step.field} returned records`).toBeGreaterThan(0);
      expect(entry!.client_address, step.field).toMatch(/127\.0\.0\.1/);
      const withTier = ['alerts', 'alert', 'search', 'createAlert', 'updateAlert', 'setSharingPolicy'].includes(step.field);
      for (const agency of step.records ?? []) {
        const named = entry!.records.some((record) => record.agency === agency && (!withTier || record.tier));
        expect(named, `${step.field} names ${agency} records${withTier ? ' with their tier' : ''}`).toBe(true);
      }
    }
  });

  it('keeps search terms as keyed digests, as misuse investigations need them, never in clear', async () => {
    await hub.query('mk-border-officer', 'query Hit($input: SearchInput!) { search(input: $input) { outcome } }', {
      input: { plate: 'SK 1234 AB' },
    });
    const entry = (await lastEntry())!;
    expect(entry.variables).toEqual({ input: {} });
    expect(entry.digests).toEqual([{ path: 'input.plate', kind: 'PLATE', digest: termDigest(hub.keys.auditDigests.get('GATEWAY')!, 'PLATE', 'sk1234ab') }]);
  });

  it('records refused requests: bad token, no purpose, invalid document, forbidden', async () => {
    const badToken = await graphql(hub.gatewayUrl, 'query Me { viewer { sub } }', {}, { token: 'not.a.token' });
    expect(codes(badToken)).toEqual(['TOKEN_INVALID']);
    expect(await lastEntry()).toMatchObject({ kind: 'DENIAL', outcome: 'DENIED', error_code: 'TOKEN_INVALID', actor_sub: null });

    const forbidden = await hub.query('xk-auditor', 'query Feed { alerts { totalCount } }');
    expect(codes(forbidden)).toEqual(['FORBIDDEN']);
    expect(await lastEntry()).toMatchObject({ kind: 'CONSULTATION', actor_sub: demoUsers['xk-auditor'].sub, outcome: 'DENIED', error_code: 'FORBIDDEN' });
  });

  // Refused before the operation ran, but after the token verified: the entry names the officer like any other,
  // so an auditor filtering by officer (or by denials) finds it; a token that did not verify is only a claim.
  const overLimit = `query Many { ${Array.from({ length: 40 }, (_, index) => `a${index}: viewer { sub }`).join(' ')} }`;
  const refusals: { what: string; document: string; purpose?: string | null; code: string; outcome: string }[] = [
    { what: 'no purpose', document: 'query Me { viewer { sub } }', purpose: null, code: 'PURPOSE_REQUIRED', outcome: 'DENIED' },
    { what: 'an unknown purpose', document: 'query Me { viewer { sub } }', purpose: 'CURIOSITY', code: 'PURPOSE_UNKNOWN', outcome: 'DENIED' },
    { what: 'an invalid document', document: '{ nonsense }', code: 'GRAPHQL_VALIDATION_FAILED', outcome: 'ERROR' },
    { what: 'a document over a limit', document: overLimit, code: 'QUERY_TOO_COMPLEX', outcome: 'ERROR' },
  ];
  const officer = demoUsers['xk-border-officer'];
  const namesTheOfficer = (code: string, outcome: string) => ({
    kind: 'DENIAL',
    outcome,
    error_code: code,
    actor_sub: officer.sub,
    actor_agency: officer.agency,
    actor_unit: officer.unit,
    actor_roles: [...officer.roles],
    details: null,
  });

  it.each(refusals)('names the verified officer in the entry of a request refused for $what, over HTTP and graphql-ws', async ({ document, purpose, code, outcome }) => {
    const options = purpose === undefined ? {} : { purpose };
    const overHttp = await hub.query('xk-border-officer', document, {}, options);
    expect(codes(overHttp)).toEqual([code]);
    expect(await lastEntry()).toMatchObject(namesTheOfficer(code, outcome));
    const overSocket = await graphqlOverWebSocket(hub.gatewayUrl, document, {}, { token: await hub.token('xk-border-officer'), ...options });
    expect(overSocket.errors?.map((error) => error.extensions?.code)).toEqual([code]);
    expect(await lastEntry()).toMatchObject(namesTheOfficer(code, outcome));
  });

  it('withholds the answer when the consultation cannot be recorded', async () => {
    await adminQuery(hub.hubDatabase.name, 'revoke insert on audit.entry from hub_app');
    try {
      const result = await hub.query('xk-border-officer', 'query Feed { alerts { edges { node { id } } } }');
      expect(codes(result)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(result.data ?? null).toBeNull();
    } finally {
      await adminQuery(hub.hubDatabase.name, 'grant insert on audit.entry to hub_app');
    }
  });
});
