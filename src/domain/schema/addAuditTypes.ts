import { auditKinds, auditOutcomes } from '../../audit/auditEntry.ts';
import type { AuditEntryView } from '../../audit/auditQueries.ts';
import type { SignedCheckpoint } from '../../audit/checkpoints.ts';
import type { AuditActivity, DailyCount, OfficerSearches, SearchActivity } from '../../audit/auditActivity.ts';
import type { AuditChainState } from '../../audit/auditChainMonitor.ts';
import { agreement } from '../../consent/agreement.ts';
import type { HubBuilder } from './hubSchemaTypes.ts';

/** Options of {@link addAuditTypes}. */
export interface AuditTypesOptions {
  /** What `AuditFilter.recordId` takes in this schema: a node speaks of local ids, the gateway of its API ids. */
  recordIdDescription: string;
}

/** The audit log as auditors read it, shared by the node and gateway schemas. */
export function addAuditTypes(builder: HubBuilder, { recordIdDescription }: AuditTypesOptions) {
  const AuditKind = builder.enumType('AuditKind', {
    description: 'What an audit entry records.',
    values: {
      CONSULTATION: { description: 'An operation at the gateway, with what it returned.' },
      DISCLOSURE: { description: 'What an owner node released (or withheld) to a caller.' },
      DENIAL: { description: 'A request refused: no token, no purpose, a missing role, …' },
      CHANGE: { description: 'A change of a record, policy, grant or request, written with the change.' },
    } satisfies Record<(typeof auditKinds)[number], unknown>,
  });
  const AuditOutcome = builder.enumType('AuditOutcome', {
    description: 'How the operation an entry records ended.',
    values: auditOutcomes,
  });
  const Purpose = builder.enumType('Purpose', {
    description: 'A purpose of the exchange agreement (contracts/exchange-agreement.json).',
    values: Object.fromEntries(Object.entries(agreement.purposes).map(([code, purpose]) => [code, { description: purpose.description }])),
  });

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
      kind: t.expose('kind', { type: AuditKind }),
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
      outcome: t.expose('outcome', { type: AuditOutcome }),
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
      recordId: t.id({ description: recordIdDescription }),
      purpose: t.field({ type: Purpose }),
      caseReference: t.string(),
      outcome: t.field({ type: AuditOutcome }),
      kind: t.field({ type: AuditKind }),
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

  const AuditChainProblem = builder.objectRef<NonNullable<AuditChainState['problem']>>('AuditChainProblem').implement({
    description: 'Where a chain stops holding: the first bad entry, and why.',
    fields: (t) => ({
      seq: t.exposeInt('seq', { description: 'The first entry that does not hold (one past the end when entries are missing there).' }),
      reason: t.exposeString('reason'),
    }),
  });

  const AuditChainState = builder.objectRef<AuditChainState>('AuditChainState').implement({
    description:
      "What a party finds when it walks its own log: every link, every entry's hash, and its own signed checkpoints. " +
      'A walk serves for a minute (checkedAt says when it ran), so that consoles left open do not walk a large log over and over.',
    fields: (t) => ({
      party: t.exposeString('party', { description: 'An agency code or GATEWAY.' }),
      entryCount: t.exposeInt('entryCount', { description: 'Entries in the log now; differs from headSeq when some were deleted.' }),
      headSeq: t.exposeInt('headSeq'),
      headHash: t.exposeString('headHash', { description: '64 zeros for an empty log.' }),
      headAt: t.expose('headAt', { type: 'DateTime', nullable: true }),
      verified: t.exposeBoolean('verified'),
      problem: t.expose('problem', { type: AuditChainProblem, nullable: true, description: 'The first problem found; null when verified.' }),
      checkedAt: t.expose('checkedAt', { type: 'DateTime' }),
    }),
  });

  const AuditDailyCount = builder.objectRef<DailyCount>('AuditDailyCount').implement({
    description: 'How many entries of one key (a purpose, a unit, an error code) one UTC day has.',
    fields: (t) => ({
      day: t.exposeString('day', { description: 'UTC day, YYYY-MM-DD.' }),
      key: t.exposeString('key'),
      count: t.exposeInt('count'),
    }),
  });

  const AuditOfficerSearches = builder.objectRef<OfficerSearches>('AuditOfficerSearches').implement({
    description: "One officer's hit/no-hit searches in the period.",
    fields: (t) => ({
      actorSub: t.exposeString('actorSub'),
      actorAgency: t.exposeString('actorAgency', { nullable: true }),
      actorUnit: t.exposeString('actorUnit', { nullable: true }),
      count: t.exposeInt('count'),
      unusual: t.exposeBoolean('unusual', { description: 'More than threshold: the usual sign of fishing.' }),
    }),
  });

  const AuditSearchActivity = builder.objectRef<SearchActivity>('AuditSearchActivity').implement({
    description:
      'Searches per officer, most first. Unusual means more than median + k \u00d7 MAD (the median absolute deviation of the officers\u2019 counts, ' +
      'taken as at least 1): a measure a few fishing officers cannot drag up.',
    fields: (t) => ({
      median: t.exposeFloat('median'),
      mad: t.exposeFloat('mad'),
      k: t.exposeFloat('k'),
      threshold: t.exposeFloat('threshold'),
      officers: t.expose('officers', { type: [AuditOfficerSearches] }),
    }),
  });

  const AuditActivity = builder.objectRef<AuditActivity>('AuditActivity').implement({
    description:
      "A party's log in aggregate over a period, within the reader's scope (the entries auditEntries gives them). " +
      'Accesses are CONSULTATION and DISCLOSURE entries with outcome OK or PARTIAL; denials are entries with outcome DENIED.',
    fields: (t) => ({
      party: t.exposeString('party'),
      from: t.expose('from', { type: 'DateTime' }),
      to: t.expose('to', { type: 'DateTime' }),
      accessesByPurpose: t.expose('accessesByPurpose', { type: [AuditDailyCount], description: 'Per day; key: the declared purpose.' }),
      accessesByUnit: t.expose('accessesByUnit', { type: [AuditDailyCount], description: "Per day; key: the officer's unit." }),
      denials: t.expose('denials', { type: [AuditDailyCount], description: 'Per day; key: the error code.' }),
      searches: t.expose('searches', {
        type: AuditSearchActivity,
        nullable: true,
        description:
          "Hit/no-hit searches per officer, as the nodes log them (one entry per search each). Null for GATEWAY: the gateway's entries name the client's operation, not the fields it ran.",
      }),
    }),
  });

  return { AuditEntry, AuditFilter, AuditCheckpoint, AuditChainState, AuditActivity };
}
