import { createHash } from 'node:crypto';
import type { Officer } from '../identity/officer.ts';
import type { AlertView } from '../domain/alertView.ts';
import { alertRecordRef } from './recordRefs.ts';
import type { AuditTransaction } from './auditDatabase.ts';
import { appendAuditEntry } from './appendAuditEntry.ts';
import type { AuditEntryInput, AuditKind, AuditOutcome, AuditRecordRef, AuditWitness, JsonValue, TermDigest } from './auditEntry.ts';
import type { AuditHead } from './appendAuditEntry.ts';
import type { AuditDatabase } from './auditDatabase.ts';
import { auditUnavailable } from './auditErrors.ts';

/** What is known of the operation before it runs. */
export interface AuditedOperation {
  operation: string | null;
  documentHash: string | null;
  /** What may be kept in clear of its variables (see auditVariables.ts). */
  variables: JsonValue;
  /** The keyed digests of its search terms and personal identifiers. */
  digests: TermDigest[];
}

export const documentHash = (source: string) => createHash('sha256').update(source).digest('hex');

/**
 * Gathers, during one GraphQL operation, what its audit entry must say: the
 * records released or changed, and whether the entry was already written
 * (inside a mutation's own transaction). One per request, on the context.
 */
export class AuditCollector {
  readonly records: AuditRecordRef[] = [];
  operation: AuditedOperation = { operation: null, documentHash: null, variables: null, digests: [] };
  traceId: string | null = null;
  /** Set once the operation's entry is in the log, so that it is written exactly once. */
  written = false;
  /** What the entry says beyond its records, set by the resolver that knows (the recipient of a delivered event). */
  details: JsonValue = null;
  /** The latest head of each other party's log this operation saw (a node's answer, the gateway's call): its entry records them. */
  readonly witnesses: AuditWitness[] = [];
  /** The operation's own entry once committed: the head a node reports to the gateway with its answer. */
  ownEntry: AuditHead | null = null;
  /**
   * The hub's id of the operation (src/audit/operationId.ts): given by the
   * gateway, sent to the nodes with every call, and written into every entry
   * the operation causes at every party. Null outside the hub's operations.
   */
  operationId: string | null = null;
  /**
   * At a node: the key the gateway gave the change it sends (Idempotency-Key).
   * The change's entry records it, and a call carrying it again is answered
   * with what the first made, without changing anything twice (see {@link journaled}).
   */
  idempotencyKey: string | null = null;
  /** At the gateway: the agencies whose node made a change this operation sent (they answered it). */
  readonly changedAt: string[] = [];
  /** At the gateway: the entry written before the operation's first change is sent to a node (outcome PENDING), once. */
  forwarding: Promise<unknown> | null = null;
  private changesSent = 0;

  constructor(
    /** Whose log the entries go to. */
    readonly party: string,
    readonly officer: Officer | null,
    readonly purpose: { code: string; caseReference: string | null } | null,
    readonly clientAddress: string | null,
  ) {}

  /** The entry this operation leaves, with what it ended in. */
  entry(kind: AuditKind, outcome: AuditOutcome, errorCode: string | null, details: JsonValue = this.details): AuditEntryInput {
    return {
      kind,
      actor: this.officer
        ? { sub: this.officer.sub, agency: this.officer.agency, unit: this.officer.unit, roles: [...this.officer.roles] }
        : null,
      purpose: this.purpose?.code ?? null,
      caseReference: this.purpose?.caseReference ?? null,
      ...this.operation,
      // Copies: an entry handed to a group writer is normalised when its batch is written.
      records: [...this.records],
      outcome,
      errorCode,
      clientAddress: this.clientAddress,
      traceId: this.traceId,
      details,
      witnesses: [...this.witnesses],
      operationId: this.operationId,
    };
  }

  /** The idempotency key of the next change this operation sends to a node: `<operation id>/<n>`. */
  nextChangeKey(): string {
    if (!this.operationId) throw new Error('an operation without an id sends no change');
    this.changesSent += 1;
    return `${this.operationId}/${this.changesSent}`;
  }

  /** Notes a head of another party's log; only the latest of each party is kept, as it vouches for every entry before it. */
  witness(head: AuditWitness): void {
    const index = this.witnesses.findIndex((known) => known.party === head.party);
    if (index < 0) this.witnesses.push(head);
    else if (this.witnesses[index]!.seq < head.seq) this.witnesses[index] = head;
  }

  /**
   * Names records in the entry, once each: a record named again (an alert
   * released, and a consent request about it) adds only what was not known
   * of it yet, such as its tier.
   */
  note(...records: AuditRecordRef[]): void {
    for (const record of records) {
      const index = this.records.findIndex((known) => known.agency === record.agency && known.id === record.id);
      if (index < 0) this.records.push(record);
      else this.records[index] = { ...record, ...this.records[index] };
    }
  }
}

/**
 * Writes the CHANGE entry of a business change inside the change's own
 * transaction, as its last statement: both commit together or neither does.
 */
export type ChangeJournal = (tx: AuditTransaction, records: AuditRecordRef[], details?: JsonValue, digests?: readonly TermDigest[]) => Promise<void>;

/** A change the log shows was already made under the same idempotency key: its entry's records and details. */
export interface AppliedChange {
  records: AuditRecordRef[];
  details: JsonValue;
}

/** Thrown by the journal when the change it would record was already made: the transaction rolls back. */
class AlreadyApplied extends Error {
  constructor(readonly applied: AppliedChange) {
    super('already applied under this idempotency key');
  }
}

/** The CHANGE entry the key of `audit` was recorded in, if any (the operation's entries are few: the operation_id index finds them). */
async function appliedChange(db: Pick<AuditTransaction, '$queryRaw'>, audit: AuditCollector): Promise<AppliedChange | null> {
  if (!audit.idempotencyKey || !audit.operationId) return null;
  const [row] = await db.$queryRaw<{ records: AuditRecordRef[]; details: JsonValue }[]>`
    select records, details from audit.entry
     where operation_id = ${audit.operationId} and kind = 'CHANGE' and details->>'idempotencyKey' = ${audit.idempotencyKey}
     limit 1`;
  return row ? { records: row.records, details: row.details } : null;
}

/** The details of a change's entry, with the idempotency key it was made under. */
function withKey(details: JsonValue, key: string | null): JsonValue {
  if (key === null) return details;
  const base = details !== null && typeof details === 'object' && !Array.isArray(details) ? details : { details };
  return { ...base, idempotencyKey: key };
}

/** The journal of the operation the collector audits. */
export function operationJournal(audit: AuditCollector): { journal: ChangeJournal; committed: () => void } {
  let appended: AuditHead | null = null;
  return {
    journal: async (tx, records, details = null, digests = []) => {
      if (audit.idempotencyKey && audit.operationId) {
        // Two calls with one key serialise here, the second after the first committed; it then finds
        // the first's entry and rolls its own work back.
        await tx.$executeRaw`select pg_advisory_xact_lock(hashtextextended(${`${audit.operationId} ${audit.idempotencyKey}`}, 7350221005))`;
        const applied = await appliedChange(tx, audit);
        if (applied) throw new AlreadyApplied(applied);
      }
      audit.note(...records);
      try {
        const entry = audit.entry('CHANGE', 'OK', null, withKey(details, audit.idempotencyKey));
        const { seq, hash } = await appendAuditEntry(tx, audit.party, { ...entry, digests: [...(entry.digests ?? []), ...digests] });
        appended = { seq, hash };
      } catch (error) {
        // The change rolls back with its entry; the caller is told it was the log, not left to guess.
        throw auditUnavailable(error);
      }
    },
    // Called once the change's transaction has committed, so that the entry is not written twice.
    committed: () => {
      if (appended) {
        audit.written = true;
        audit.ownEntry = appended;
      }
    },
  };
}

/** How a change made once already is answered again: from the database, and what its entry recorded. */
export interface Replay<T> {
  db: Pick<AuditDatabase, '$queryRaw'>;
  /** The result the change gives now, rebuilt from what its first entry named. */
  replay: (applied: AppliedChange) => Promise<T>;
}

/**
 * Runs a change with the operation's journal; the operation's entry is then
 * the one written with the change. A change whose idempotency key the log
 * already holds (the gateway sent it again: a reused connection failed under
 * it, or its answer was lost) is not made again: it is answered by `again`,
 * before any work, or, when the two calls overlap, after the second rolled
 * its work back. The operation's own entry (a DISCLOSURE of what the answer
 * releases) then records the repeated call.
 */
export async function journaled<T>(audit: AuditCollector, change: (journal: ChangeJournal) => Promise<T>, again?: Replay<T>): Promise<T> {
  if (again && audit.idempotencyKey) {
    const applied = await appliedChange(again.db, audit);
    if (applied) return answerAgain(audit, again, applied);
  }
  const { journal, committed } = operationJournal(audit);
  try {
    const result = await change(journal);
    committed();
    return result;
  } catch (error) {
    if (error instanceof AlreadyApplied && again) return answerAgain(audit, again, error.applied);
    throw error;
  }
}

async function answerAgain<T>(audit: AuditCollector, again: Replay<T>, applied: AppliedChange): Promise<T> {
  audit.details = { repeated: { idempotencyKey: audit.idempotencyKey } };
  return again.replay(applied);
}

/** A journal for changes made outside any request (demo data), in the name of a service account. */
export function serviceJournal(party: string, sub: string): ChangeJournal {
  return (tx, records, details = null) =>
    appendAuditEntry(tx, party, {
      kind: 'CHANGE',
      actor: { sub, agency: party, unit: null, roles: [] },
      purpose: null,
      caseReference: null,
      operation: 'service',
      documentHash: null,
      variables: null,
      records,
      outcome: 'OK',
      errorCode: null,
      clientAddress: null,
      traceId: null,
      details,
    }).then(() => undefined);
}

/** Names released alerts, per owner agency and with the tier and basis of the release. */
export function noteAlertViews(audit: AuditCollector, views: readonly (AlertView | null | undefined)[]): void {
  for (const view of views) {
    if (view) audit.note(alertRecordRef(view));
  }
}
