import { createHash } from 'node:crypto';
import type pg from 'pg';
import { canonicalJson } from './canonicalJson.ts';

/** A database holding a party's log, for the readers that walk it with node-postgres. */
export type AuditDatabase = pg.Client | pg.Pool | pg.PoolClient;

/** What an entry records. */
export const auditKinds = ['CONSULTATION', 'DISCLOSURE', 'DENIAL', 'CHANGE', 'ERASURE'] as const;
export type AuditKind = (typeof auditKinds)[number];

/** How the operation it records ended. */
export const auditOutcomes = ['OK', 'PARTIAL', 'DENIED', 'ERROR'] as const;
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

/** One record an entry concerns: released, refused or changed. */
export interface AuditRecordRef {
  agency: string;
  id: string;
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
}

/** What an entry says, as it will be stored: the normalised input. */
export type AuditEntryContent = Omit<AuditEntry, 'seq' | 'at' | 'party' | 'prevHash' | 'hash'>;

/**
 * An entry keyed by the columns of `audit.entry`, `at` as an ISO string: the
 * content the hash covers (without `hash`), and one line of `audit export`.
 * Keyed by column so that anyone holding an export or the table can recompute
 * the hashes without this code.
 */
export interface AuditEntryColumns {
  seq: number;
  at: string;
  party: string;
  kind: string;
  actor_sub: string | null;
  actor_agency: string | null;
  actor_unit: string | null;
  actor_roles: string[] | null;
  purpose: string | null;
  case_reference: string | null;
  operation: string | null;
  document_hash: string | null;
  variables: JsonValue;
  variables_digest: string | null;
  digests: JsonValue;
  records: JsonValue;
  outcome: string;
  error_code: string | null;
  client_address: string | null;
  trace_id: string | null;
  details: JsonValue;
  prev_hash: string;
  hash: string;
}

/** Columns of `audit.entry` in table order. */
export const entryColumnNames = [
  'seq', 'at', 'party', 'kind', 'actor_sub', 'actor_agency', 'actor_unit', 'actor_roles', 'purpose',
  'case_reference', 'operation', 'document_hash', 'variables', 'records', 'outcome', 'error_code',
  'client_address', 'trace_id', 'details', 'prev_hash', 'hash', 'variables_digest', 'digests',
] as const satisfies readonly (keyof AuditEntryColumns)[];

/** Widths of the varchar columns (of each element, for `actor_roles`). */
const widths = {
  party: 8, kind: 20, actor_sub: 200, actor_agency: 2, actor_unit: 40, actor_roles: 20, purpose: 40,
  case_reference: 100, operation: 200, document_hash: 64, outcome: 20, error_code: 60, client_address: 64, trace_id: 32,
} as const;

// Values deeper than this are recorded as a marker: a hostile request must not
// be able to make its own audit entry unwritable (and so go unrecorded).
const maxJsonDepth = 64;

/**
 * The hash of an entry, which is the format an auditor re-implements:
 * lowercase hex SHA-256 of the UTF-8 bytes of `prev_hash`, a newline, and the
 * canonical JSON (RFC 8785) of an object with one member per column of
 * `audit.entry` except `hash`, named as the column (`prev_hash` included):
 * `seq` a number, `at` ISO 8601 in UTC with milliseconds, absent values null,
 * `actor_roles` an array or null, jsonb columns as stored. Entry 1 follows
 * {@link genesisHash}.
 *
 * Since the digests (migration 0006) an entry has a `variables_digest`, the
 * SHA-256 (hex) of the canonical JSON of `variables` as written: the object
 * hashed then holds `variables_digest` and `digests` instead of `variables`,
 * so that the clear part can be erased after its retention and the chain
 * still verifies. An entry whose `variables_digest` is null is hashed as
 * before, without the two members.
 */
export function entryHash(prevHash: string, entry: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  const { hash: _hash, ...content } = toColumns({ ...entry, prevHash, hash: '' });
  return hashColumns(content);
}

/** The hash the columns (all but `hash`) call for. */
export function hashColumns(content: Omit<AuditEntryColumns, 'hash'>): string {
  const { variables, variables_digest, digests, ...common } = content;
  const hashed = variables_digest === null ? { ...common, variables } : { ...common, variables_digest, digests };
  return createHash('sha256').update(`${content.prev_hash}\n${canonicalJson(hashed)}`).digest('hex');
}

/** The `variables_digest` of a clear part. */
export function clearPartDigest(variables: JsonValue): string {
  return createHash('sha256').update(canonicalJson(variables)).digest('hex');
}

/**
 * What the clear part of an entry is: as written (it matches its digest),
 * erased (null where something else was written) or altered. Entries from
 * before the digests are as written: their hash covers the clear part.
 */
export function clearPartState(entry: Pick<AuditEntryColumns, 'variables' | 'variables_digest'>): 'written' | 'erased' | 'altered' {
  if (entry.variables_digest === null) return 'written';
  if (clearPartDigest(entry.variables) === entry.variables_digest) return 'written';
  return entry.variables === null ? 'erased' : 'altered';
}

/** The entry keyed by column. */
export function toColumns(entry: AuditEntry): AuditEntryColumns {
  return {
    seq: entry.seq,
    at: entry.at.toISOString(),
    party: entry.party,
    kind: entry.kind,
    actor_sub: entry.actor?.sub ?? null,
    actor_agency: entry.actor?.agency ?? null,
    actor_unit: entry.actor?.unit ?? null,
    actor_roles: entry.actor ? [...entry.actor.roles] : null,
    purpose: entry.purpose,
    case_reference: entry.caseReference,
    operation: entry.operation,
    document_hash: entry.documentHash,
    variables: entry.variables,
    variables_digest: entry.variablesDigest,
    digests: entry.digests as unknown as JsonValue,
    records: entry.records as unknown as JsonValue,
    outcome: entry.outcome,
    error_code: entry.errorCode,
    client_address: entry.clientAddress,
    trace_id: entry.traceId,
    details: entry.details,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}

/** The entry a stored row describes. */
export function fromColumns(columns: AuditEntryColumns): AuditEntry {
  return {
    seq: columns.seq,
    at: new Date(columns.at),
    party: columns.party,
    kind: columns.kind as AuditKind,
    actor:
      columns.actor_sub === null
        ? null
        : { sub: columns.actor_sub, agency: columns.actor_agency ?? '', unit: columns.actor_unit, roles: columns.actor_roles ?? [] },
    purpose: columns.purpose,
    caseReference: columns.case_reference,
    operation: columns.operation,
    documentHash: columns.document_hash,
    variables: columns.variables,
    variablesDigest: columns.variables_digest,
    digests: (Array.isArray(columns.digests) ? columns.digests : null) as unknown as TermDigest[] | null,
    records: (Array.isArray(columns.records) ? columns.records : []) as unknown as AuditRecordRef[],
    outcome: columns.outcome as AuditOutcome,
    errorCode: columns.error_code,
    clientAddress: columns.client_address,
    traceId: columns.trace_id,
    details: columns.details,
    prevHash: columns.prev_hash,
    hash: columns.hash,
  };
}

/**
 * The columns of a row as node-postgres or Prisma's `$queryRaw` return it
 * (`seq` as string or bigint, `at` as Date), in the form the hash covers.
 */
export function columnsFromRow(row: Record<string, unknown>): AuditEntryColumns {
  const at = row.at instanceof Date ? row.at.toISOString() : new Date(String(row.at)).toISOString();
  return {
    seq: toSeq(row.seq),
    at,
    party: row.party as string,
    kind: row.kind as string,
    actor_sub: (row.actor_sub ?? null) as string | null,
    actor_agency: (row.actor_agency ?? null) as string | null,
    actor_unit: (row.actor_unit ?? null) as string | null,
    actor_roles: (row.actor_roles ?? null) as string[] | null,
    purpose: (row.purpose ?? null) as string | null,
    case_reference: (row.case_reference ?? null) as string | null,
    operation: (row.operation ?? null) as string | null,
    document_hash: (row.document_hash ?? null) as string | null,
    variables: (row.variables ?? null) as JsonValue,
    variables_digest: (row.variables_digest ?? null) as string | null,
    digests: (row.digests ?? null) as JsonValue,
    records: row.records as JsonValue,
    outcome: row.outcome as string,
    error_code: (row.error_code ?? null) as string | null,
    client_address: (row.client_address ?? null) as string | null,
    trace_id: (row.trace_id ?? null) as string | null,
    details: (row.details ?? null) as JsonValue,
    prev_hash: row.prev_hash as string,
    hash: row.hash as string,
  };
}

/** A bigint column's value (string from node-postgres, bigint from Prisma) as a safe integer. */
export function toSeq(value: unknown): number {
  const seq = Number(value);
  if (!Number.isSafeInteger(seq)) throw new RangeError(`not a sequence number: ${String(value)}`);
  return seq;
}

/**
 * The input as it will read back from PostgreSQL, which is what gets hashed:
 * JSON values as jsonb returns them, text PostgreSQL can store (no NUL, no
 * lone surrogate), each text cut to its column's width. A value that would be
 * refused is recorded in a form that is accepted, because an entry that
 * cannot be written fails the request it records.
 */
export function normalizeAuditInput(input: AuditEntryInput): AuditEntryContent {
  if (!auditKinds.includes(input.kind)) throw new TypeError(`unknown audit entry kind ${String(input.kind)}`);
  if (!auditOutcomes.includes(input.outcome)) throw new TypeError(`unknown audit outcome ${String(input.outcome)}`);
  const records = toJsonValue(input.records ?? [], 0);
  const variables = toJsonValue(input.variables, 0);
  const digests = input.digests?.length ? (toJsonValue(input.digests, 0) as unknown as TermDigest[]) : null;
  return {
    kind: input.kind,
    actor: input.actor
      ? {
          sub: storableText(input.actor.sub, widths.actor_sub) ?? '',
          agency: storableText(input.actor.agency, widths.actor_agency) ?? '',
          unit: storableText(input.actor.unit, widths.actor_unit),
          roles: input.actor.roles.map((role) => storableText(role, widths.actor_roles) ?? ''),
        }
      : null,
    purpose: storableText(input.purpose, widths.purpose),
    caseReference: storableText(input.caseReference, widths.case_reference),
    operation: storableText(input.operation, widths.operation),
    documentHash: storableText(input.documentHash, widths.document_hash),
    variables,
    variablesDigest: clearPartDigest(variables),
    digests,
    records: (Array.isArray(records) ? records : []) as unknown as AuditRecordRef[],
    outcome: input.outcome,
    errorCode: storableText(input.errorCode, widths.error_code),
    clientAddress: storableText(input.clientAddress, widths.client_address),
    traceId: storableText(input.traceId, widths.trace_id),
    details: toJsonValue(input.details, 0),
  };
}

/** Checks a party code against its column. */
/** The party name of the gateway's own (consultation) log. */
export const gatewayParty = 'GATEWAY';

export function checkParty(party: string): string {
  if (!/^[A-Z][A-Z0-9_]{1,7}$/.test(party)) throw new TypeError(`invalid audit party "${party}": an agency code or GATEWAY`);
  return party;
}

const loneSurrogates = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const suspectCharacters = /[\0\uD800-\uDFFF]/;

/** Text PostgreSQL stores and returns unchanged: NUL and lone surrogates become U+FFFD. */
function storableString(value: string): string {
  // Nearly every string has neither: one cheap test instead of two replacements.
  if (!suspectCharacters.test(value)) return value;
  return value.replace(/\0/g, '\uFFFD').replace(loneSurrogates, '\uFFFD');
}

/** Storable text no longer than `width` characters (code points, as PostgreSQL counts), cut with "…". */
function storableText(value: string | null | undefined, width: number): string | null {
  if (value === null || value === undefined) return null;
  const text = storableString(String(value));
  if (text.length <= width) return text;
  const characters = Array.from(text);
  return characters.length <= width ? text : `${characters.slice(0, width - 1).join('')}…`;
}

/**
 * The JSON value jsonb will give back: undefined properties dropped, Dates as
 * ISO strings, bigints as strings (jsonb would turn them into lossy numbers),
 * -0 as 0, non-finite numbers as null, strings storable.
 */
function toJsonValue(value: unknown, depth: number): JsonValue {
  if (value === null || value === undefined) return null;
  if (depth > maxJsonDepth) return '[nested too deep]';
  switch (typeof value) {
    case 'string':
      return storableString(value);
    case 'number':
      // + 0 turns -0 into 0, which is what jsonb gives back.
      return Number.isFinite(value) ? value + 0 : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      return objectToJsonValue(value, depth);
    default:
      return null;
  }
}

function objectToJsonValue(value: object, depth: number): JsonValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, depth + 1));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return toJsonValue((value as { toJSON(): unknown }).toJSON(), depth + 1);
  }
  const members: [string, JsonValue][] = [];
  for (const [key, member] of Object.entries(value)) {
    // As JSON.stringify: absent, not null.
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    members.push([storableString(key), toJsonValue(member, depth + 1)]);
  }
  // fromEntries defines own properties, so a "__proto__" key stays data.
  return Object.fromEntries(members);
}
