import { auditKinds, auditOutcomes, auditRecordTypes } from '../../audit/auditEntry.ts';
import type { AuditEntryView } from '../../audit/auditQueries.ts';
import type { SignedCheckpoint } from '../../audit/checkpoints.ts';
import { termKinds, type TermKind } from '../../audit/termDigests.ts';
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
      ERASURE: { description: 'The erasure of the clear variables of older entries after the agreement\u2019s retention (details: the range).' },
    } satisfies Record<(typeof auditKinds)[number], unknown>,
  });
  const AuditOutcome = builder.enumType('AuditOutcome', {
    description: 'How the operation an entry records ended.',
    values: {
      OK: { description: 'It ran; what it released or changed is in `records`.' },
      PARTIAL: { description: 'It ran, but an agency did not answer (or its log could not record the release): its part is missing.' },
      DENIED: { description: 'Refused: a token, a purpose, a role, the consent, a limit.' },
      ERROR: { description: 'It failed (bad input, a conflict, a node or log that failed).' },
      PENDING: {
        description:
          'The gateway’s entry of a change it sends to a node, written before the node is asked; the entry of the same operationId ' +
          'that follows gives the outcome, and the node’s log the change itself.',
      },
    } satisfies Record<(typeof auditOutcomes)[number], unknown>,
  });
  const AuditRecordType = builder.enumType('AuditRecordType', {
    description: 'What kind of record an entry names.',
    values: auditRecordTypes,
  });
  const Purpose = builder.enumType('Purpose', {
    description: 'A purpose of the exchange agreement (contracts/exchange-agreement.json).',
    values: Object.fromEntries(Object.entries(agreement.purposes).map(([code, purpose]) => [code, { description: purpose.description }])),
  });

  const AuditTermKind = builder.enumType('AuditTermKind', {
    description: 'A kind of search term or personal identifier, which logs keep only as keyed digests.',
    values: {
      SERIAL: { description: 'A firearm or component serial number (normalised as serial searches are).' },
      PLATE: { description: 'A vehicle plate.' },
      VIN: { description: 'A vehicle identification number.' },
      DOCUMENT_NUMBER: { description: 'An identity document number.' },
      NAME: { description: 'A family or given name, in any Latin or Cyrillic spelling.' },
      DATE_OF_BIRTH: { description: 'A date of birth (YYYY-MM-DD).' },
      TEXT: { description: 'Free text of a record (a title, a description), as written up to case and spacing.' },
    } satisfies Record<(typeof termKinds)[number], unknown>,
  });

  const AuditTermDigest = builder
    .objectRef<NonNullable<AuditEntryView['digests']>[number]>('AuditTermDigest')
    .implement({
      description: "The keyed digest of a search term or personal identifier an operation carried (HMAC-SHA-256 with the log's party's own key).",
      fields: (t) => ({
        path: t.exposeString('path', { description: 'Where it was in the variables ("input.plate"), or "(document) …" for a value written in the document.' }),
        kind: t.field({ type: AuditTermKind, resolve: (digest) => digest.kind as TermKind }),
        digest: t.exposeString('digest'),
      }),
    });

  const AuditRecord = builder
    .objectRef<AuditEntryView['records'][number]>('AuditRecord')
    .implement({
      description: 'A record an entry concerns, and at what tier, on what basis, it was released.',
      fields: (t) => ({
        agency: t.exposeString('agency'),
        id: t.exposeID('id', { description: "The record's id within its owner agency." }),
        type: t.field({
          type: AuditRecordType,
          nullable: true,
          description: 'Null in entries written before records named their type.',
          resolve: (record) => (auditRecordTypes as readonly string[]).includes(record.type ?? '') ? (record.type as (typeof auditRecordTypes)[number]) : null,
        }),
        reference: t.string({ nullable: true, resolve: (record) => record.reference ?? null }),
        tier: t.string({ nullable: true, description: 'The tier it was released at to the actor (NONE: withheld).', resolve: (record) => record.tier ?? null }),
        basis: t.string({
          nullable: true,
          description: 'Why that tier: DOMESTIC (the actor’s own agency), POLICY, DEFAULT_POLICY, GRANT, AGREEMENT (a trace request’s tier), MEMBERSHIP (a joint operation), OWN_REQUEST (the alert a consent request of the actor’s agency names), NONE.',
          resolve: (record) => record.basis ?? null,
        }),
        grantId: t.string({ nullable: true, resolve: (record) => record.grantId ?? null }),
      }),
    });

  const AuditWitness = builder
    .objectRef<AuditEntryView['witnesses'][number]>('AuditWitness')
    .implement({
      description:
        "The head of another party's log when this entry was written: that party's entry `seq` had hash `hash`. " +
        '`audit verify` with the peer databases checks that every witnessed head is still in that party\u2019s chain.',
      fields: (t) => ({
        party: t.exposeString('party', { description: 'Whose log: an agency code or GATEWAY.' }),
        seq: t.exposeInt('seq'),
        hash: t.exposeString('hash'),
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
      variables: t.exposeString('variables', {
        nullable: true,
        description:
          'What the log keeps in clear of the operation\u2019s variables, as JSON: no search term or personal identifier (those are in ' +
          '`digests`); null once erased after the agreement\u2019s clear retention.',
      }),
      variablesDigest: t.exposeString('variablesDigest', {
        nullable: true,
        description: 'SHA-256 of the clear variables as written, which the entry\u2019s hash covers: it outlives their erasure. Null in entries written before digests.',
      }),
      digests: t.field({ type: [AuditTermDigest], resolve: (entry) => entry.digests ?? [] }),
      records: t.expose('records', { type: [AuditRecord] }),
      outcome: t.expose('outcome', { type: AuditOutcome }),
      errorCode: t.exposeString('errorCode', { nullable: true }),
      clientAddress: t.exposeString('clientAddress', { nullable: true }),
      traceId: t.exposeString('traceId', { nullable: true }),
      details: t.exposeString('details', { nullable: true }),
      prevHash: t.exposeString('prevHash'),
      hash: t.exposeString('hash'),
      operationId: t.exposeString('operationId', {
        nullable: true,
        description:
          'The hub’s id of the operation that caused the entry: the same in the gateway’s entry of an operation and in every node’s ' +
          'entry it caused (filter on it to join them). Null in entries written before, and in those of no hub operation.',
      }),
      witnesses: t.expose('witnesses', {
        type: [AuditWitness],
        description:
          'Heads of the other parties\u2019 logs this entry witnesses: at the gateway, each node called; at a node, the gateway. ' +
          'Empty when none (the column is then null, and the hash covers it only when it is not).',
      }),
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
      operationId: t.string({ description: 'The entries of one operation of the hub (AuditEntry.operationId).' }),
      term: t.string({
        description:
          'Entries whose operation carried this search term or identifier (a plate, a serial, a name, …), in any spelling the search ' +
          'would match: the party digests it with its own key and compares digests, as its log keeps no identifier in clear.',
      }),
      termKind: t.field({ type: AuditTermKind, description: 'What kind of identifier `term` is. Default: any kind.' }),
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
          'Hit/no-hit searches per officer, as the nodes log them (one entry per search each), watch entries registered included (a ' +
          "standing search, matched at once against every record). Null for GATEWAY: the gateway's entries name the client's operation, not the fields it ran.",
      }),
    }),
  });

  return { AuditEntry, AuditFilter, AuditCheckpoint, AuditChainState, AuditActivity };
}
