import { auditKinds, auditOutcomes, isAuditWitness, type AuditEntryContent, type AuditEntryInput, type AuditRecordRef, type AuditWitness, type JsonValue, type TermDigest } from './auditEntry.ts';
import { clearPartDigest } from './entryColumns.ts';

/** Widths of the varchar columns (of each element, for `actor_roles`). */
const widths = {
  party: 8, kind: 20, actor_sub: 200, actor_agency: 2, actor_unit: 40, actor_roles: 20, purpose: 40,
  case_reference: 100, operation: 200, document_hash: 64, outcome: 20, error_code: 60, client_address: 64, trace_id: 32, operation_id: 64,
} as const;

// Values deeper than this are recorded as a marker: a hostile request must not
// be able to make its own audit entry unwritable (and so go unrecorded).
const maxJsonDepth = 64;

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
    witnesses: normalizeWitnesses(input.witnesses),
    operationId: storableText(input.operationId ?? null, widths.operation_id),
  };
}

/**
 * The witnesses an entry stores: well-formed heads only, the latest of each
 * party (its hash commits to every entry before it, so an earlier one adds
 * nothing), sorted by party; null when none is left, so that the entry
 * hashes as one without the column.
 */
function normalizeWitnesses(witnesses: readonly AuditWitness[] | null | undefined): AuditWitness[] | null {
  if (!witnesses?.length) return null;
  const latest = new Map<string, AuditWitness>();
  for (const witness of witnesses) {
    if (!isAuditWitness(witness)) continue;
    const known = latest.get(witness.party);
    if (!known || known.seq < witness.seq) latest.set(witness.party, { party: witness.party, seq: witness.seq, hash: witness.hash });
  }
  if (latest.size === 0) return null;
  return [...latest.values()].sort((a, b) => (a.party < b.party ? -1 : a.party > b.party ? 1 : 0));
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
