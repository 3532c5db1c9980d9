import type pg from 'pg';

/** A database holding a party's log, for the readers that walk it with node-postgres. */
export type AuditDatabase = pg.Client | pg.Pool | pg.PoolClient;

/** What an entry records. */
export const auditKinds = ['CONSULTATION', 'DISCLOSURE', 'DENIAL', 'CHANGE', 'ERASURE'] as const;
export type AuditKind = (typeof auditKinds)[number];

/**
 * How the operation it records ended. PENDING: the gateway's entry of a
 * change it forwards to a node, written before the node is asked, so that
 * no change exists of which the gateway's log knows nothing; the entry of the
 * same operation (`operationId`) that follows it gives the outcome.
 */
export const auditOutcomes = ['OK', 'PARTIAL', 'DENIED', 'ERROR', 'PENDING'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/** `prev_hash` of entry 1. */
export const genesisHash = '0'.repeat(64);

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The officer (or service) who acted. */
export interface AuditActor {
  sub: string;
  agency: string;
  unit: string | null;
  roles: readonly string[];
}

/** The kinds of record an entry names. */
export const auditRecordTypes = ['ALERT', 'TRACE_REQUEST', 'WATCH_ENTRY', 'CONSENT_GRANT', 'JOINT_OPERATION'] as const;
export type AuditRecordType = (typeof auditRecordTypes)[number];

/** One record an entry concerns: released, refused or changed. */
export interface AuditRecordRef {
  agency: string;
  id: string;
  /** What the record is: ALERT, TRACE_REQUEST, WATCH_ENTRY, CONSENT_GRANT, JOINT_OPERATION. Absent in older entries. */
  type?: AuditRecordType;
  reference?: string;
  /** Tier released (HIT, SUMMARY, FULL) or asked for. */
  tier?: string;
  /** Why that tier: DEFAULT_POLICY, SHARING_RULE, GRANT, OWNER, … */
  basis?: string;
  grantId?: string;
}

/** The keyed digest of one search term or personal identifier of an operation (see termDigests.ts). */
export interface TermDigest {
  /** Where in the variables (or the document's arguments) it was: "input.plate". */
  path: string;
  /** SERIAL, PLATE, VIN, DOCUMENT_NUMBER, NAME, DATE_OF_BIRTH or TEXT. */
  kind: string;
  /** HMAC-SHA-256 (hex) of the normalised value, with the party's digest key. */
  digest: string;
}

/**
 * The head of another party's log as this entry saw it: that party's entry
 * `seq` had hash `hash`. The gateway records the head each node answered
 * with, a node the gateway's head sent with the call, so each log holds
 * evidence of the others' (see src/audit/auditWitness.ts).
 */
export interface AuditWitness {
  party: string;
  seq: number;
  hash: string;
}

/** What the application hands to {@link appendAuditEntry}; every absent fact is null. */
export interface AuditEntryInput {
  kind: AuditKind;
  actor: AuditActor | null;
  purpose: string | null;
  caseReference: string | null;
  operation: string | null;
  /** SHA-256 (hex) of the GraphQL document. */
  documentHash: string | null;
  /** What the schema lets the log keep in clear of the operation's variables (see auditVariables.ts). */
  variables: unknown;
  /** The digests of its search terms and personal identifiers. Default none. */
  digests?: readonly TermDigest[] | null;
  records: readonly AuditRecordRef[];
  outcome: AuditOutcome;
  errorCode: string | null;
  clientAddress: string | null;
  traceId: string | null;
  details: unknown;
  /** Heads of other parties' logs this entry witnesses; absent, null or empty: none. */
  witnesses?: readonly AuditWitness[] | null;
  /** The hub's id of the operation that caused the entry (src/audit/operationId.ts); absent or null: none. */
  operationId?: string | null;
}

/** An entry as stored in `audit.entry`. */
export interface AuditEntry {
  seq: number;
  at: Date;
  /** Whose log: an agency code or GATEWAY. */
  party: string;
  kind: AuditKind;
  actor: AuditActor | null;
  purpose: string | null;
  caseReference: string | null;
  operation: string | null;
  documentHash: string | null;
  /** Null once erased after the agreement's retention (see {@link variablesDigest}). */
  variables: JsonValue;
  /** SHA-256 of the canonical JSON of `variables` as written; null in entries written before the digests. */
  variablesDigest: string | null;
  digests: TermDigest[] | null;
  records: AuditRecordRef[];
  outcome: AuditOutcome;
  errorCode: string | null;
  clientAddress: string | null;
  traceId: string | null;
  details: JsonValue;
  prevHash: string;
  hash: string;
  /** Null when the entry witnesses no other party's log. */
  witnesses: AuditWitness[] | null;
  /** The hub's id of the operation that caused the entry; null when none (and in entries before migration node 0010 / hub 0009). */
  operationId: string | null;
}

/** What an entry says, as it will be stored: the normalised input. */
export type AuditEntryContent = Omit<AuditEntry, 'seq' | 'at' | 'party' | 'prevHash' | 'hash'>;

/** The party name of the gateway's own (consultation) log. */
export const gatewayParty = 'GATEWAY';

const partyPattern = /^[A-Z][A-Z0-9_]{1,7}$/;

/** Checks a party code against its column. */
export function checkParty(party: string): string {
  if (!partyPattern.test(party)) throw new TypeError(`invalid audit party "${party}": an agency code or GATEWAY`);
  return party;
}


/** Shape of a witnessed head; anything else is not recorded (see {@link normalizeWitnesses}). */
export function isAuditWitness(value: unknown): value is AuditWitness {
  if (value === null || typeof value !== 'object') return false;
  const { party, seq, hash } = value as Record<string, unknown>;
  return (
    typeof party === 'string' && partyPattern.test(party) &&
    typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1 &&
    typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash)
  );
}

