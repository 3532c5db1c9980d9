// The operations the gateway sends to agency nodes, written against the node
// contract (contracts/node.graphql). test/contracts.test.ts validates every one
// of them against the node schema, so a contract change that breaks the
// gateway fails there and not in production.

const firearmFields = /* GraphQL */ `
  id make model type calibre serialNumber serialNormalized countryOfManufacture countryOfLastImport
  yearOfManufacture euCategory convertedGasAlarm printed3d reactivated serialObliterated
`;

/**
 * What an alert carries besides its identity and owner, in the same shape on
 * the node and on the gateway (the benchmark selects it from both).
 */
export const alertContentSelection = /* GraphQL */ `
    kind status version createdAt updatedAt
    contactPoint { agency unitCode unitName email phone }
    access {
      tier basis grantId validUntil purpose caseReference ceiling canRequestHigher
      handlingCode handlingConditions sourceReliability informationAccuracy
    }
    sharingPolicy {
      handlingCode handlingConditions sourceReliability informationAccuracy
      rules { partnerAgency tier purposes expiresAt setBy setAt }
    }
    summary {
      title occurredAt modusOperandi
      location { kind borderCrossing municipality latitude longitude }
      risk { threat vulnerability impact level }
      unit { code name kind borderCrossing email phone }
      firearms { ${firearmFields} }
      ammunition { id calibre quantity }
      explosives { id type description quantity unit }
      components { id kind quantity serialNumber }
    }
    personalData {
      subjects { id role familyName givenName dateOfBirth nationality documents { kind number issuingCountry expiresOn } }
      vehicles { id role plate plateCountry make model colour vin }
    }
`;

// Every record carries its __typename: the gateway's types recognise, and note
// in the consultation entry, the records released to the client by it (schema/releasedRecord.ts).

/** Everything a node's alert carries: what the gateway asked for every alert before it forwarded the client's selection. */
export const fullAlertSelection = `__typename id reference owner ${alertContentSelection}`;

/** The fragment AlertFields, which every operation returning alerts spreads, selecting `selection` (see alertSelection.ts). */
export const alertFieldsFragment = (selection: string) => `fragment AlertFields on Alert { ${selection} }`;

/** AlertFields selecting everything a node's alert carries. */
export const alertFields = alertFieldsFragment(fullAlertSelection);

/** The node operations that return alerts, without their AlertFields: the gateway adds the selection each request needs. */
const alertOperationBodies = {
  alerts: /* GraphQL */ `
    query Alerts($first: Int!, $after: String, $filter: AlertFilter, $withCount: Boolean! = true) {
      alerts(first: $first, after: $after, filter: $filter) {
        edges { cursor node { ...AlertFields } } pageInfo { hasNextPage endCursor } totalCount @include(if: $withCount)
      }
    }
  `,
  alert: /* GraphQL */ `
    query Alert($id: ID!) { alert(id: $id) { ...AlertFields } }
  `,
  createAlert: /* GraphQL */ `
    mutation CreateAlert($input: CreateAlertInput!) { createAlert(input: $input) { ...AlertFields } }
  `,
  updateAlert: /* GraphQL */ `
    mutation UpdateAlert($id: ID!, $expectedVersion: Int!, $input: UpdateAlertInput!) {
      updateAlert(id: $id, expectedVersion: $expectedVersion, input: $input) { ...AlertFields }
    }
  `,
  setSharingPolicy: /* GraphQL */ `
    mutation SetSharingPolicy($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { ...AlertFields } }
  `,
  deliverHit: /* GraphQL */ `
    query DeliverHit($seq: Int!) { deliverHit(seq: $seq) { seq at watchEntryId matchedOn match score retro alert { ...AlertFields } } }
  `,
  deliverAlertShared: /* GraphQL */ `
    query DeliverAlertShared($seq: Int!) { deliverAlertShared(seq: $seq) { seq at cause alert { ...AlertFields } } }
  `,
} as const;

export type AlertOperation = keyof typeof alertOperationBodies;

export const isAlertOperation = (operation: string): operation is AlertOperation => Object.hasOwn(alertOperationBodies, operation);

/** A node operation returning alerts, asking of each alert `selection` only. */
export const alertOperation = (operation: AlertOperation, selection: string) => `${alertOperationBodies[operation]}${alertFieldsFragment(selection)}`;

const traceRequestFields = /* GraphQL */ `
  fragment TraceRequestFields on TraceRequest {
    __typename id reference requestingAgency addressedTo alertId alertReference tier question answer status createdAt updatedAt
    firearm { ${firearmFields} }
    transitions { fromStatus toStatus actorAgency actorSub note at }
  }
`;

/** What the gateway keeps of an owner's release to a joint operation: its grants stay at the node. */
const jointOperationReleaseSelection = 'operation revision tier expiresAt granteeAgencies setBy setAt endedAt';

const consentGrantSelection = /* GraphQL */ `
  __typename id alertId granteeAgency tier purpose caseReference expiresAt grantedBy grantedAt revokedAt revokedBy revocationReason
`;

const consentRequestFields = /* GraphQL */ `
  fragment ConsentRequestFields on ConsentRequest {
    __typename id alertId owner alertReference requestingAgency requestingUnit requestedBy tier purpose caseReference justification
    status createdAt dueAt overdue secondsLeft decidedBy decidedAt decisionReason
    grant { ${consentGrantSelection} }
  }
`;

const pageInfo = 'pageInfo { hasNextPage endCursor } totalCount';

const watchEntryFields = /* GraphQL */ `
  fragment WatchEntryFields on WatchEntry {
    id owner kind label make plateCountry unitCode registeredBy purpose caseReference createdAt expiresAt removedAt status
  }
`;

export const nodeOperations = {
  // Full selections: what bench/ sends a node as its baseline, and what test/contracts.test.ts validates.
  ...(Object.fromEntries(
    Object.keys(alertOperationBodies).map((name) => [name, alertOperation(name as AlertOperation, fullAlertSelection)]),
  ) as Record<AlertOperation, string>),
  agency: /* GraphQL */ `
    query Agency {
      agency { code name country contactEmail contactPhone units { code name kind borderCrossing email phone } }
    }
  `,
  traceRequests: /* GraphQL */ `
    query TraceRequests($first: Int!, $after: String, $filter: TraceRequestFilter) {
      traceRequests(first: $first, after: $after, filter: $filter) { edges { cursor node { ...TraceRequestFields } } ${pageInfo} }
    }
    ${traceRequestFields}
  `,
  traceRequest: /* GraphQL */ `
    query TraceRequest($id: ID!) { traceRequest(id: $id) { ...TraceRequestFields } }
    ${traceRequestFields}
  `,
  submitTraceRequest: /* GraphQL */ `
    mutation SubmitTraceRequest($input: SubmitTraceRequestInput!) { submitTraceRequest(input: $input) { ...TraceRequestFields } }
    ${traceRequestFields}
  `,
  advanceTraceRequest: /* GraphQL */ `
    mutation AdvanceTraceRequest($id: ID!, $input: AdvanceTraceRequestInput!) {
      advanceTraceRequest(id: $id, input: $input) { ...TraceRequestFields }
    }
    ${traceRequestFields}
  `,
  consentRequests: /* GraphQL */ `
    query ConsentRequests($first: Int!, $after: String, $filter: ConsentRequestFilter!) {
      consentRequests(first: $first, after: $after, filter: $filter) { edges { cursor node { ...ConsentRequestFields } } ${pageInfo} }
    }
    ${consentRequestFields}
  `,
  requestConsent: /* GraphQL */ `
    mutation RequestConsent($input: ConsentRequestInput!) { requestConsent(input: $input) { ...ConsentRequestFields } }
    ${consentRequestFields}
  `,
  decideConsentRequest: /* GraphQL */ `
    mutation DecideConsentRequest($id: ID!, $input: ConsentDecisionInput!) {
      decideConsentRequest(id: $id, input: $input) { ...ConsentRequestFields }
    }
    ${consentRequestFields}
  `,
  setJointOperationRelease: /* GraphQL */ `
    mutation SetJointOperationRelease($input: JointOperationReleaseInput!) { setJointOperationRelease(input: $input) { outcome release { ${jointOperationReleaseSelection} } } }
  `,
  jointOperationRelease: /* GraphQL */ `
    query JointOperationRelease { jointOperationRelease { ${jointOperationReleaseSelection} } }
  `,
  revokeConsentGrant: /* GraphQL */ `
    mutation RevokeConsentGrant($id: ID!, $reason: String!) { revokeConsentGrant(id: $id, reason: $reason) { ${consentGrantSelection} } }
  `,
  watchEntries: /* GraphQL */ `
    query WatchEntries($first: Int!, $after: String) {
      watchEntries(first: $first, after: $after) { edges { cursor node { ...WatchEntryFields } } ${pageInfo} }
    }
    ${watchEntryFields}
  `,
  createWatchEntry: /* GraphQL */ `
    mutation CreateWatchEntry($id: ID!, $input: WatchEntryInput!) { createWatchEntry(id: $id, input: $input) { ...WatchEntryFields } }
    ${watchEntryFields}
  `,
  removeWatchEntry: /* GraphQL */ `
    mutation RemoveWatchEntry($id: ID!) { removeWatchEntry(id: $id) { ...WatchEntryFields } }
    ${watchEntryFields}
  `,
  withdrawWatchEntry: /* GraphQL */ `
    mutation WithdrawWatchEntry($id: ID!, $input: WatchEntryInput!) { withdrawWatchEntry(id: $id, input: $input) { ...WatchEntryFields } }
    ${watchEntryFields}
  `,
  eventFeed: /* GraphQL */ `
    query EventFeed($after: Int!, $first: Int, $waitMs: Int) {
      eventFeed(after: $after, first: $first, waitMs: $waitMs) {
        events { seq at kind recipientAgency recipientUnit watchEntryId alertId purpose caseReference }
      }
    }
  `,
  deliverConsentEvent: /* GraphQL */ `
    query DeliverConsentEvent($seq: Int!) { deliverConsentEvent(seq: $seq) { seq at kind request { ...ConsentRequestFields } } }
    ${consentRequestFields}
  `,
  markConsentDeadlines: /* GraphQL */ `
    mutation MarkConsentDeadlines($job: String!) { markConsentDeadlines(job: $job) { overdue expiring } }
  `,
  pruneEventFeed: /* GraphQL */ `
    mutation PruneEventFeed($through: Int!) { pruneEventFeed(through: $through) { prunedThrough events watchHits } }
  `,
  auditEntries: /* GraphQL */ `
    query AuditEntries($first: Int!, $after: String, $filter: AuditFilter) {
      auditEntries(first: $first, after: $after, filter: $filter) {
        edges {
          cursor
          node {
            seq party at kind actorSub actorAgency actorUnit actorRoles purpose caseReference operation documentHash variables
            variablesDigest digests { path kind digest }
            records { agency id type reference tier basis grantId }
            outcome errorCode clientAddress traceId operationId details prevHash hash witnesses { party seq hash }
          }
        }
        ${pageInfo}
      }
    }
  `,
  auditChain: /* GraphQL */ `
    query AuditChain { auditChain { party entryCount headSeq headHash headAt verified problem { seq reason } checkedAt } }
  `,
  auditActivity: /* GraphQL */ `
    query AuditActivity($from: DateTime!, $to: DateTime!) {
      auditActivity(from: $from, to: $to) {
        party from to
        accessesByPurpose { day key count }
        accessesByUnit { day key count }
        denials { day key count }
        searches { median mad k threshold officers { actorSub actorAgency actorUnit count unusual } }
      }
    }
  `,
  statistics: /* GraphQL */ `
    query Statistics($input: StatisticsInput!) {
      statistics(input: $input) {
        agency grid periods dimensions measures protected minimumCellSize countWithheld suppressedCells
        cells { period values suppressed alerts firearms rounds explosivesKg threat vulnerability impact }
      }
    }
  `,
  createAuditCheckpoint: /* GraphQL */ `
    mutation CreateAuditCheckpoint { createAuditCheckpoint { party seq headHash count at jws } }
  `,
  keepPeerCheckpoints: /* GraphQL */ `
    mutation KeepPeerCheckpoints($checkpoints: [String!]!) { keepPeerCheckpoints(checkpoints: $checkpoints) }
  `,
  auditPeerEvidence: /* GraphQL */ `
    query AuditPeerEvidence($party: String!) {
      auditPeerEvidence(party: $party) { checkpoints { seq headHash jws source } witnesses { party seq hash witness witnessSeq } }
    }
  `,
  verifyAuditChain: /* GraphQL */ `
    query VerifyAuditChain($checkpoints: [AuditCheckpointCopyInput!]!, $witnesses: [AuditWitnessedHeadInput!]!) {
      verifyAuditChain(checkpoints: $checkpoints, witnesses: $witnesses) { party verified entryCount firstBadSeq reason }
    }
  `,
} as const;

export interface NodePage<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Absent when the page was asked for without it (the alerts operation's `$withCount: false`). */
  totalCount?: number | null;
}
