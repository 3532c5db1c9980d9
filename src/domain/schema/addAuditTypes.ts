import type { AuditEntryView } from '../../audit/auditQueries.ts';
import type { SignedCheckpoint } from '../../audit/checkpoints.ts';
import type { HubBuilder } from './hubSchemaTypes.ts';

/** The audit log as auditors read it, shared by the node and gateway schemas. */
export function addAuditTypes(builder: HubBuilder) {
  const AuditRecord = builder
    .objectRef<AuditEntryView['records'][number]>('AuditRecord')
    .implement({
      description: 'A record an entry concerns, and at what tier, on what basis, it was released.',
      fields: (t) => ({
        agency: t.exposeString('agency'),
        id: t.exposeID('id', { description: "The record's id within its owner agency." }),
        reference: t.string({ nullable: true, resolve: (record) => record.reference ?? null }),
        tier: t.string({ nullable: true, resolve: (record) => record.tier ?? null }),
        basis: t.string({ nullable: true, resolve: (record) => record.basis ?? null }),
        grantId: t.string({ nullable: true, resolve: (record) => record.grantId ?? null }),
      }),
    });

  const AuditEntry = builder.objectRef<AuditEntryView>('AuditEntry').implement({
    description:
      'One entry of a party\u2019s append-only, hash-chained log: who, when, what operation and which records, at which tier, ' +
      'for which purpose and case, with which outcome (Law Enforcement Directive, Art. 25).',
    fields: (t) => ({
      seq: t.exposeInt('seq'),
      party: t.exposeString('party', { description: 'Whose log: an agency code or GATEWAY.' }),
      at: t.expose('at', { type: 'DateTime' }),
      kind: t.exposeString('kind', { description: 'CONSULTATION, DISCLOSURE, DENIAL or CHANGE.' }),
      actorSub: t.exposeString('actorSub', { nullable: true }),
      actorAgency: t.exposeString('actorAgency', { nullable: true }),
      actorUnit: t.exposeString('actorUnit', { nullable: true }),
      actorRoles: t.exposeStringList('actorRoles'),
      purpose: t.exposeString('purpose', { nullable: true }),
      caseReference: t.exposeString('caseReference', { nullable: true }),
      operation: t.exposeString('operation', { nullable: true }),
      documentHash: t.exposeString('documentHash', { nullable: true }),
      variables: t.exposeString('variables', { nullable: true, description: 'The operation\u2019s variables as JSON, search terms included.' }),
      records: t.expose('records', { type: [AuditRecord] }),
      outcome: t.exposeString('outcome'),
      errorCode: t.exposeString('errorCode', { nullable: true }),
      clientAddress: t.exposeString('clientAddress', { nullable: true }),
      traceId: t.exposeString('traceId', { nullable: true }),
      details: t.exposeString('details', { nullable: true }),
      prevHash: t.exposeString('prevHash'),
      hash: t.exposeString('hash'),
    }),
  });

  const AuditFilter = builder.inputType('AuditFilter', {
    fields: (t) => ({
      actorSub: t.string(),
      actorUnit: t.string(),
      actorAgency: t.string(),
      recordId: t.id({ description: "A record's id within its owner agency: every entry that names it." }),
      purpose: t.string(),
      caseReference: t.string(),
      outcome: t.string(),
      kind: t.string(),
      from: t.field({ type: 'DateTime' }),
      to: t.field({ type: 'DateTime' }),
    }),
  });

  const AuditCheckpoint = builder.objectRef<SignedCheckpoint>('AuditCheckpoint').implement({
    description: "A party's signed statement of the head of its log: each party keeps the others' copies.",
    fields: (t) => ({
      party: t.exposeString('party'),
      seq: t.exposeInt('seq'),
      headHash: t.exposeString('headHash'),
      count: t.exposeInt('count'),
      at: t.exposeString('at'),
      jws: t.exposeString('jws', { description: 'Compact JWS, signed with the party’s checkpoint key.' }),
    }),
  });

  return { AuditEntry, AuditFilter, AuditCheckpoint };
}
