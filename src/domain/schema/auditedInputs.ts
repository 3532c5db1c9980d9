import type { TermKind } from '../../audit/termDigests.ts';

/**
 * What the audit log keeps of each input of the node and gateway schemas:
 * - `CLEAR`: kept as given, for the agreement's clear retention
 *   (`audit.clearRetentionDays`), then erased: facts about the operation,
 *   not about a person (ids, cursors, enums' neighbours, calibres, units);
 * - a {@link TermKind}: only its keyed digest, normalised as the search
 *   normalises it, so auditors find it by the identifier itself;
 * - `DROP`: neither, for personal data too guessable for a digest to hide
 *   (a nationality, a document's expiry date).
 *
 * Keyed by input type and field, or by `Type.field` and argument for
 * arguments. Int, Float, Boolean, enum, ID and DateTime values are kept in
 * clear without being listed: none of them is personal data in these schemas
 * (record ids, counts, times of events). Everything else must be listed:
 * test/auditDigests.test.ts fails on a String or Date input of either schema
 * that is not, and at run time an unlisted one is kept as a TEXT digest,
 * never in clear.
 */
export type AuditedInput = 'CLEAR' | 'DROP' | TermKind;

export const auditedInputs: Record<string, Record<string, AuditedInput>> = {
  // Searches and watch entries: the terms themselves.
  SearchInput: { serialNumber: 'SERIAL', plate: 'PLATE', vin: 'VIN', documentNumber: 'DOCUMENT_NUMBER' },
  PersonSearchInput: { familyName: 'NAME', givenName: 'NAME', dateOfBirth: 'DATE_OF_BIRTH' },
  WatchEntryInput: { serialNumber: 'SERIAL', make: 'CLEAR', plate: 'PLATE', plateCountry: 'CLEAR', vin: 'VIN', documentNumber: 'DOCUMENT_NUMBER' },
  WatchPersonInput: { familyName: 'NAME', givenName: 'NAME', dateOfBirth: 'DATE_OF_BIRTH' },

  // Records created or changed: their personal data and free text (which may name people) as digests.
  CreateAlertInput: { title: 'TEXT', modusOperandi: 'TEXT', unitCode: 'CLEAR' },
  UpdateAlertInput: { title: 'TEXT', modusOperandi: 'TEXT' },
  LocationInput: { municipality: 'CLEAR' },
  FirearmInput: { serialNumber: 'SERIAL', make: 'CLEAR', model: 'CLEAR', calibre: 'CLEAR', countryOfManufacture: 'CLEAR', countryOfLastImport: 'CLEAR' },
  FirearmComponentInput: { serialNumber: 'SERIAL' },
  AmmunitionInput: { calibre: 'CLEAR' },
  ExplosiveInput: { description: 'TEXT' },
  SubjectInput: { familyName: 'NAME', givenName: 'NAME', dateOfBirth: 'DATE_OF_BIRTH', nationality: 'DROP' },
  IdentityDocumentInput: { number: 'DOCUMENT_NUMBER', issuingCountry: 'CLEAR', expiresOn: 'DROP' },
  VehicleInput: { plate: 'PLATE', plateCountry: 'CLEAR', vin: 'VIN', make: 'CLEAR', model: 'CLEAR', colour: 'CLEAR' },
  SubmitTraceRequestInput: { addressedTo: 'CLEAR', question: 'TEXT' },
  AdvanceTraceRequestInput: { answer: 'TEXT', note: 'TEXT' },
  TimelineEntryInput: { text: 'TEXT' },

  // Consent and policy: the justification is what Art. 25 asks the log to keep.
  ConsentRequestInput: { justification: 'CLEAR' },
  ConsentDecisionInput: { reason: 'CLEAR' },
  'Mutation.revokeConsentGrant': { reason: 'CLEAR' },
  SharingPolicyInput: { handlingConditions: 'CLEAR' },
  SharingRuleInput: { partnerAgency: 'CLEAR', purposes: 'CLEAR' },
  JointOperationReleaseInput: { granteeAgencies: 'CLEAR' },
  'Mutation.keepPeerCheckpoints': { checkpoints: 'CLEAR' },
  // The chain check's evidence (the gateway's service calls): hashes, signatures and party codes, nothing personal.
  AuditCheckpointCopyInput: { headHash: 'CLEAR', jws: 'CLEAR', source: 'CLEAR' },
  AuditWitnessedHeadInput: { hash: 'CLEAR', party: 'CLEAR', witness: 'CLEAR' },
  'Query.auditPeerEvidence': { party: 'CLEAR' },
  // The deadline job's run id, which both logs name.
  'Mutation.markConsentDeadlines': { job: 'CLEAR' },

  // Joint operations: who takes part is the "recipients" of Art. 25.
  CreateJointOperationInput: { code: 'CLEAR', codeName: 'CLEAR', leadAgency: 'CLEAR', legalBasis: 'CLEAR', objective: 'CLEAR', participatingAgencies: 'CLEAR' },
  OperationAreaInput: { greenBorderSectors: 'CLEAR', municipalities: 'CLEAR' },
  OperationMemberInput: { agency: 'CLEAR', officerSub: 'CLEAR', unitCode: 'CLEAR' },
  PartnerLiaisonInput: { agency: 'CLEAR', officerSub: 'CLEAR', unitCode: 'CLEAR' },
  OperationStatusChangeInput: { reason: 'CLEAR' },

  // Filters and pages of reads.
  AlertFilter: {},
  TraceRequestFilter: { addressedTo: 'CLEAR' },
  JointOperationFilter: { agency: 'CLEAR', greenBorderSector: 'CLEAR', municipality: 'CLEAR' },
  AuditFilter: { actorAgency: 'CLEAR', actorSub: 'CLEAR', actorUnit: 'CLEAR', caseReference: 'CLEAR', operationId: 'CLEAR', term: 'TEXT' },
  'Query.alerts': { after: 'CLEAR', before: 'CLEAR', agencies: 'CLEAR' },
  // The joint picture's periods and the agencies asked: nothing personal.
  StatisticsInput: { from: 'CLEAR', to: 'CLEAR' },
  'Query.jointPicture': { agencies: 'CLEAR' },
  'Query.auditEntries': { after: 'CLEAR', before: 'CLEAR', party: 'CLEAR' },
  'Query.auditActivity': { party: 'CLEAR' },
  'Query.consentRequests': { after: 'CLEAR', before: 'CLEAR' },
  'Query.jointOperations': { after: 'CLEAR', before: 'CLEAR' },
  'Query.traceRequests': { after: 'CLEAR', before: 'CLEAR' },
  'Query.watchEntries': { after: 'CLEAR', before: 'CLEAR' },
  'Subscription.hits': { after: 'CLEAR' },
  'Subscription.operationUpdates': { after: 'CLEAR' },
  'Subscription.alertShared': { after: 'CLEAR' },
  'Subscription.consentEvents': { after: 'CLEAR' },
};

/** What the log keeps of a field of an input type, or of an argument (`owner` is then `Type.field`). */
export function auditedInput(owner: string, name: string): AuditedInput | undefined {
  return Object.hasOwn(auditedInputs, owner) ? auditedInputs[owner]![name] : undefined;
}
