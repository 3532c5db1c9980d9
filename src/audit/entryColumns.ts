import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson.ts';
import type { AuditEntry, AuditKind, AuditOutcome, AuditRecordRef, AuditWitness, JsonValue, TermDigest } from './auditEntry.ts';

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
  witnesses: JsonValue;
  operation_id: string | null;
}

/** Columns of `audit.entry` in table order. */
export const entryColumnNames = [
  'seq', 'at', 'party', 'kind', 'actor_sub', 'actor_agency', 'actor_unit', 'actor_roles', 'purpose',
  'case_reference', 'operation', 'document_hash', 'variables', 'records', 'outcome', 'error_code',
  'client_address', 'trace_id', 'details', 'prev_hash', 'hash', 'witnesses', 'variables_digest', 'digests', 'operation_id',
] as const satisfies readonly (keyof AuditEntryColumns)[];

/**
 * The hash of an entry, which is the format an auditor re-implements:
 * lowercase hex SHA-256 of the UTF-8 bytes of `prev_hash`, a newline, and the
 * canonical JSON (RFC 8785) of an object with one member per column of
 * `audit.entry` except `hash`, named as the column (`prev_hash` included):
 * `seq` a number, `at` ISO 8601 in UTC with milliseconds, absent values null,
 * `actor_roles` an array or null, jsonb columns as stored; `witnesses` only
 * when it is not null, so that the entries written before the column existed
 * (and any without a witness) hash as they always did; `operation_id` likewise
 * only when it is not null (migration node 0010 / hub 0009). Entry 1 follows
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
  const { variables, variables_digest, digests, witnesses, operation_id, ...common } = content;
  const covered = variables_digest === null ? { ...common, variables } : { ...common, variables_digest, digests };
  const witnessed = witnesses === null || witnesses === undefined ? covered : { ...covered, witnesses };
  const hashed = operation_id === null || operation_id === undefined ? witnessed : { ...witnessed, operation_id };
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
    witnesses: entry.witnesses as unknown as JsonValue,
    operation_id: entry.operationId,
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
    witnesses: (Array.isArray(columns.witnesses) ? columns.witnesses : null) as unknown as AuditWitness[] | null,
    operationId: columns.operation_id ?? null,
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
    witnesses: (row.witnesses ?? null) as JsonValue,
    operation_id: (row.operation_id ?? null) as string | null,
  };
}

/** A bigint column's value (string from node-postgres, bigint from Prisma) as a safe integer. */
export function toSeq(value: unknown): number {
  const seq = Number(value);
  if (!Number.isSafeInteger(seq)) throw new RangeError(`not a sequence number: ${String(value)}`);
  return seq;
}

