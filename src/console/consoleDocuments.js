// Every operation the console sends, as agreed in contracts/trusted-documents.graphql
// (test/consoleDocuments.test.ts checks each against its agreed text), so that a hub
// that runs trusted documents only (production) has a console. Fixed documents: no
// introspection, which production turns off too.

/** Every field of AuditEntry, in the log's own order (the columns of the export). */
const entryFields = `seq party at kind actorSub actorAgency actorUnit actorRoles purpose caseReference operation operationId documentHash
  variables variablesDigest digests { path kind digest } records { agency id type reference tier basis grantId }
  outcome errorCode clientAddress traceId details witnesses { party seq hash } prevHash hash`;

export const documents = {
  ConsoleViewer: `query ConsoleViewer { viewer { sub agency unit roles name } }`,
  ConsoleAuditEntries: `query ConsoleAuditEntries($party: String!, $filter: AuditFilter, $first: Int!, $after: String) {
  auditEntries(party: $party, filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${entryFields} } }
  }
}`,
  ConsoleTrail: `query ConsoleTrail($id: ID!) {
  recordDisclosures(alertId: $id) {
    seq party at kind actorSub actorAgency actorUnit purpose caseReference operation operationId
    records { agency id type reference tier basis } outcome errorCode
  }
}`,
  ConsoleChains: `query ConsoleChains { auditChains { party entryCount headSeq headHash headAt verified problem { seq reason } checkedAt } }`,
  ConsoleChainChecks: `query ConsoleChainChecks { auditChainChecks { party status entryCount firstBadSeq reason witnesses checkedAt } }`,
  ConsoleCheckpoints: `query ConsoleCheckpoints { auditCheckpoints { party seq headHash count at } }`,
  ConsoleConflicts: `query ConsoleConflicts { auditCheckpointConflicts { party seq keptHeadHash receivedHeadHash detectedAt detectedBy } }`,
  ConsoleActivity: `query ConsoleActivity($party: String!, $from: DateTime, $to: DateTime) {
  auditActivity(party: $party, from: $from, to: $to) {
    party from to
    accessesByPurpose { day key count } accessesByUnit { day key count } denials { day key count }
    searches { median mad k threshold officers { actorSub actorAgency actorUnit count unusual } }
  }
}`,
};

/** The agreement's purposes, as the API's enum Purpose has them (checked by the same test): the log filter offers them. */
export const purposes = ['AUDIT', 'BORDER_CHECK', 'CRIMINAL_INVESTIGATION', 'FIREARM_TRACE', 'JOINT_OPERATION', 'RISK_ANALYSIS'];
