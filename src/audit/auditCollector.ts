import { createHash } from 'node:crypto';
import type { Officer } from '../identity/officer.ts';
import type { AlertView } from '../domain/alertView.ts';
import type { AuditTransaction } from './auditDatabase.ts';
import { appendAuditEntry } from './appendAuditEntry.ts';
import type { AuditEntryInput, AuditKind, AuditOutcome, AuditRecordRef, JsonValue, TermDigest } from './auditEntry.ts';

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
      records: this.records,
      outcome,
      errorCode,
      clientAddress: this.clientAddress,
      traceId: this.traceId,
      details,
    };
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
export type ChangeJournal = (tx: AuditTransaction, records: AuditRecordRef[], details?: JsonValue) => Promise<void>;

/** The journal of the operation the collector audits. */
export function operationJournal(audit: AuditCollector): { journal: ChangeJournal; committed: () => void } {
  let appended = false;
  return {
    journal: async (tx, records, details = null) => {
      audit.note(...records);
      await appendAuditEntry(tx, audit.party, audit.entry('CHANGE', 'OK', null, details));
      appended = true;
    },
    // Called once the change's transaction has committed, so that the entry is not written twice.
    committed: () => {
      if (appended) audit.written = true;
    },
  };
}

/** Runs a change with the operation's journal; the operation's entry is then the one written with the change. */
export async function journaled<T>(audit: AuditCollector, change: (journal: ChangeJournal) => Promise<T>): Promise<T> {
  const { journal, committed } = operationJournal(audit);
  const result = await change(journal);
  committed();
  return result;
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

/** How an audit entry names a released alert: owner agency, the tier and basis of the release. */
export function alertRecordRef(view: AlertView): AuditRecordRef {
  return {
    agency: view.owner,
    id: view.id,
    reference: view.reference,
    tier: view.access.tier,
    basis: view.access.basis,
    ...(view.access.grantId ? { grantId: view.access.grantId } : {}),
  };
}

/** Names released alerts, per owner agency and with the tier and basis of the release. */
export function noteAlertViews(audit: AuditCollector, views: readonly (AlertView | null | undefined)[]): void {
  for (const view of views) {
    if (view) audit.note(alertRecordRef(view));
  }
}
