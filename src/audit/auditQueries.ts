import type { Prisma } from '../generated/node/client.ts';
import type { AuditDatabase } from './auditDatabase.ts';
import { ErrorCode, hubError } from '../errors.ts';
import { invalidCursor } from '../domain/cursor.ts';
import { hasAnyRole, type Officer } from '../identity/officer.ts';
import { isAuditWitness, type AuditKind, type AuditOutcome, type AuditWitness, type TermDigest } from './auditEntry.ts';
import { termDigests, type DigestKey, type TermKind } from './termDigests.ts';

/** What auditors filter a log by. */
export interface AuditFilter {
  actorSub?: string | null;
  actorUnit?: string | null;
  actorAgency?: string | null;
  recordId?: string | null;
  purpose?: string | null;
  caseReference?: string | null;
  outcome?: AuditOutcome | null;
  kind?: AuditKind | null;
  /** The entries of one operation of the hub, at this party. */
  operationId?: string | null;
  from?: Date | null;
  to?: Date | null;
  /** A search term or identifier the entry's operation carried, compared by its digest. */
  term?: string | null;
  termKind?: TermKind | null;
}

export interface AuditEntryView {
  seq: number;
  party: string;
  at: Date;
  kind: AuditKind;
  actorSub: string | null;
  actorAgency: string | null;
  actorUnit: string | null;
  actorRoles: string[];
  purpose: string | null;
  caseReference: string | null;
  operation: string | null;
  documentHash: string | null;
  variables: string | null;
  variablesDigest: string | null;
  digests: TermDigest[] | null;
  records: { agency: string; id: string; type?: string; reference?: string; tier?: string; basis?: string; grantId?: string }[];
  outcome: AuditOutcome;
  errorCode: string | null;
  clientAddress: string | null;
  traceId: string | null;
  operationId: string | null;
  details: string | null;
  prevHash: string;
  hash: string;
  /** Empty when the entry witnesses no other party's log (stored as null). */
  witnesses: AuditWitness[];
}

/**
 * Who may read which entries of a party's log: the joint oversight board
 * everything; an agency's auditors what its own officers did (and, in their
 * own agency's log, everything). Nobody else.
 */
export function auditScope(reader: Officer, party: string): Prisma.AuditEntryWhereInput {
  const agency = auditScopeAgency(reader, party);
  return agency === null ? {} : { actorAgency: agency };
}

/** The same scope as {@link auditScope}, for SQL: the agency whose officers' entries the reader may read, null for all. */
export function auditScopeAgency(reader: Officer, party: string): string | null {
  if (hasAnyRole(reader, ['oversight'])) return null;
  if (hasAnyRole(reader, ['auditor'])) return party === reader.agency ? null : reader.agency;
  throw hubError(ErrorCode.FORBIDDEN, 'Only auditors and the joint oversight board read audit logs.');
}

/**
 * An agency's auditor reads another party's log as a partner: what its own
 * officers did there, but not what that party withheld from them. A record
 * the owner released at NONE is, to the partner, a record that does not
 * exist; the owner's own auditors (and the oversight board) see the denial.
 */
function readsAsPartner(reader: Officer, party: string): boolean {
  return !hasAnyRole(reader, ['oversight']) && reader.agency !== party;
}

const withheld = (record: AuditEntryView['records'][number]) => record.tier === 'NONE';

/** Entries that name the record, and, for a partner, name it as released (an entry names a record once). */
function namingRecord(id: string, asPartner: boolean): Prisma.AuditEntryWhereInput {
  const names: Prisma.AuditEntryWhereInput = { records: { array_contains: [{ id }] } };
  return asPartner ? { AND: [names, { NOT: { records: { array_contains: [{ id, tier: 'NONE' }] } } }] } : names;
}

/** Entries with a digest of the term: each kind's, unless the kind is given. */
function carryingTerm(key: DigestKey, term: string, kind: TermKind | null | undefined): Prisma.AuditEntryWhereInput {
  return { OR: termDigests(key, term, kind).map(({ kind, digest }) => ({ digests: { array_contains: [{ kind, digest }] } })) };
}

function filterWhere(filter: AuditFilter | null | undefined, asPartner: boolean, key: DigestKey): Prisma.AuditEntryWhereInput {
  if (!filter) return {};
  return {
    ...(filter.term ? carryingTerm(key, filter.term, filter.termKind) : {}),
    ...(filter.actorSub ? { actorSub: filter.actorSub } : {}),
    ...(filter.actorUnit ? { actorUnit: filter.actorUnit } : {}),
    ...(filter.actorAgency ? { actorAgency: filter.actorAgency } : {}),
    ...(filter.purpose ? { purpose: filter.purpose } : {}),
    ...(filter.caseReference ? { caseReference: filter.caseReference } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.operationId ? { operationId: filter.operationId } : {}),
    ...(filter.recordId ? namingRecord(filter.recordId, asPartner) : {}),
    ...(filter.from || filter.to
      ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } }
      : {}),
  };
}

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * Newest first, keyset-paginated on the sequence number. A partner's view of
 * an entry leaves out the records withheld from it ({@link readsAsPartner}),
 * so its hash cannot be recomputed from that view: chain verification is the
 * owner's and the oversight board's, with `audit verify` and the checkpoints.
 */
export async function listAuditEntries(
  prisma: AuditDatabase,
  reader: Officer,
  party: string,
  filter: AuditFilter | null | undefined,
  page: { first: number; after?: string | null },
  /** The party's digest key, which `filter.term` is digested with. */
  digestKey: DigestKey,
) {
  const asPartner = readsAsPartner(reader, party);
  const base: Prisma.AuditEntryWhereInput = { AND: [auditScope(reader, party), filterWhere(filter, asPartner, digestKey)] };
  const after = page.after ? parseSeqCursor(page.after) : null;
  const where = after === null ? base : { AND: [base, { seq: { lt: after } }] };
  const [rows, totalCount] = await Promise.all([
    prisma.auditEntry.findMany({ where, orderBy: { seq: 'desc' }, take: page.first + 1 }),
    prisma.auditEntry.count({ where: base }),
  ]);
  const pageRows = rows.slice(0, page.first);
  return {
    views: pageRows.map(
      (row): AuditEntryView => ({
        ...row,
        kind: row.kind as AuditKind,
        outcome: row.outcome as AuditOutcome,
        seq: Number(row.seq),
        variables: json(row.variables),
        digests: row.digests as TermDigest[] | null,
        details: json(row.details),
        records: (row.records as AuditEntryView['records']).filter((record) => !asPartner || !withheld(record)),
        witnesses: Array.isArray(row.witnesses) ? (row.witnesses as unknown[]).filter(isAuditWitness) : [],
      }),
    ),
    cursors: pageRows.map((row) => `seq:${row.seq}`),
    hasNextPage: rows.length > page.first,
    totalCount,
  };
}

function parseSeqCursor(cursor: string): bigint {
  const match = /^seq:(\d{1,19})$/.exec(cursor);
  if (!match) throw invalidCursor();
  return BigInt(match[1]!);
}
