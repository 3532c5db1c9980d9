import { agreement } from '../consent/agreement.ts';
import type { AuditDatabase } from './auditDatabase.ts';
import { appendAuditEntry } from './appendAuditEntry.ts';
import { type AuditEntry } from './auditEntry.ts';
import { toSeq } from './entryColumns.ts';

/** Options of {@link purgeClearVariables}. */
export interface PurgeOptions {
  /**
   * Entries older than this many days lose their clear variables. Default, and
   * least: the agreement's `audit.clearRetentionDays` (a floor the database's
   * erasure function enforces too).
   */
  retentionDays?: number;
  /** Who runs the purge, as the erasure entry records it. Default "hub audit purge". */
  by?: string;
}

/** What a purge erased, and the entry that records it (null when nothing was due). */
export interface PurgeResult {
  erased: number;
  fromSeq: number | null;
  toSeq: number | null;
  before: Date;
  entry: AuditEntry | null;
}

/** What an ERASURE entry's details say: the erased range, which `audit verify` checks every erased entry against. */
export interface ErasureDetails {
  erasure: { fromSeq: number; toSeq: number; count: number; before: string; retentionDays: number; by: string };
}

/**
 * Erases the clear variables of the party's entries older than the
 * retention, and records the erasure as an ERASURE entry in the same
 * transaction: both or neither. The entries' hashes cover a digest of their
 * clear part, not the clear part itself, so the chain still verifies; an
 * erased entry that no later ERASURE entry covers fails `audit verify`, so
 * an erasure cannot hide. The database's clock sets the cut-off. Idempotent:
 * a second run finds nothing due and writes nothing.
 */
export async function purgeClearVariables(prisma: AuditDatabase, party: string, options: PurgeOptions = {}): Promise<PurgeResult> {
  const retentionDays = options.retentionDays ?? agreement.audit.clearRetentionDays;
  if (!Number.isInteger(retentionDays) || retentionDays < agreement.audit.clearRetentionDays) throw new RangeError(retentionFloorMessage(retentionDays));
  const by = options.by ?? 'hub audit purge';
  return prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ before: Date; first_seq: bigint | null; last_seq: bigint | null; erased: bigint }[]>`
      with cutoff as (select now() - make_interval(days => ${retentionDays}::int) as before)
      select cutoff.before, erased.* from cutoff, audit.erase_clear_variables(cutoff.before) as erased`;
    const erased = Number(row!.erased);
    const before = row!.before;
    if (erased === 0) return { erased, fromSeq: null, toSeq: null, before, entry: null };
    const fromSeq = toSeq(row!.first_seq);
    const lastSeq = toSeq(row!.last_seq);
    const details: ErasureDetails = { erasure: { fromSeq, toSeq: lastSeq, count: erased, before: before.toISOString(), retentionDays, by } };
    const entry = await appendAuditEntry(tx, party, {
      kind: 'ERASURE',
      actor: null,
      purpose: null,
      caseReference: null,
      operation: 'audit purge',
      documentHash: null,
      variables: null,
      records: [],
      outcome: 'OK',
      errorCode: null,
      clientAddress: null,
      traceId: null,
      details: details as never,
    });
    return { erased, fromSeq, toSeq: lastSeq, before, entry };
  });
}

/** Why a retention is refused: the agreement's is the least. */
export const retentionFloorMessage = (days: unknown) =>
  `the retention is at least the agreement's audit.clearRetentionDays (${agreement.audit.clearRetentionDays} days), a whole number of days: not ${String(days)}`;

/** The range an ERASURE entry's details name, or null when they do not name one. */
export function erasedRange(details: unknown): { fromSeq: number; toSeq: number } | null {
  const erasure = (details as Partial<ErasureDetails> | null)?.erasure;
  return erasure && Number.isSafeInteger(erasure.fromSeq) && Number.isSafeInteger(erasure.toSeq) ? { fromSeq: erasure.fromSeq, toSeq: erasure.toSeq } : null;
}
