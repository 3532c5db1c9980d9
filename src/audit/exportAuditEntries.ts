import type { Writable } from 'node:stream';
import { type AuditDatabase } from './auditEntry.ts';
import { columnsFromRow, entryColumnNames, type AuditEntryColumns } from './entryColumns.ts';

/** Which entries to read, and how many per query. */
export interface AuditEntryRange {
  /** Entries at or after this time. */
  from?: Date;
  /** Entries before this time. */
  to?: Date;
  /** Entries after this sequence number. Default 0. */
  afterSeq?: number;
  /** Rows per query. Default 2,000. */
  batchSize?: number;
}

const selectColumns = entryColumnNames.map((name) => `"${name}"`).join(', ');

/**
 * The entries of the log in sequence order, a batch at a time: keyset
 * pagination on `seq`, so memory holds a batch or two whatever the log's
 * size, and no query holds a snapshot (or a connection) for the whole walk.
 * The next batch is asked for before the current one is handed out, so that
 * PostgreSQL reads it while the caller works. Entries appended meanwhile are
 * read too: the log only grows at its end.
 */
export async function* readAuditEntries(db: AuditDatabase, range: AuditEntryRange = {}): AsyncGenerator<AuditEntryColumns[]> {
  const batchSize = range.batchSize ?? 2_000;
  const conditions = ['seq > $1'];
  const params: unknown[] = [range.afterSeq ?? 0];
  if (range.from) conditions.push(`at >= $${params.push(range.from)}`);
  if (range.to) conditions.push(`at < $${params.push(range.to)}`);
  const sql = `select ${selectColumns} from audit.entry where ${conditions.join(' and ')} order by seq limit $${params.push(batchSize)}`;
  const query = (afterSeq: unknown) => db.query<Record<string, unknown>>(sql, [afterSeq, ...params.slice(1)]);
  let next: ReturnType<typeof query> | undefined = query(params[0]);
  try {
    while (next) {
      const { rows }: { rows: Record<string, unknown>[] } = await next;
      // A short batch is the last one.
      next = rows.length === batchSize ? query(rows.at(-1)!.seq) : undefined;
      if (rows.length > 0) yield rows.map(columnsFromRow);
    }
  } finally {
    // The caller stopped early: the batch asked for ahead is not wanted, nor its failure, but it must
    // be over before the caller sends its next query (a pg.Client runs one query at a time).
    await next?.catch(() => {});
  }
}

/** Options of {@link exportAuditEntries}. */
export type ExportOptions = Omit<AuditEntryRange, 'afterSeq'>;

/**
 * Writes the entries of the log (from ≤ at < to) to `out` as JSON Lines, in
 * sequence order, waiting whenever `out` asks to (backpressure): a million
 * entries need the memory of one batch. Each line holds the entry's columns,
 * `at` in ISO form, so anyone can check it without this code:
 * hash = sha256(prev_hash + "\n" + canonical JSON of the line without `hash`),
 * where a line with a `variables_digest` leaves out `variables` instead (see
 * entryHash), and `variables_digest` = sha256(canonical JSON of `variables`)
 * until they are erased.
 * Resolves with the number of entries written; does not end `out`.
 */
export async function exportAuditEntries(db: AuditDatabase, out: Writable, options: ExportOptions = {}): Promise<{ count: number }> {
  let count = 0;
  // Without a listener, an error of `out` (a closed pipe) would crash the process instead of failing the export.
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure ??= error;
  };
  out.on('error', onError);
  try {
    for await (const batch of readAuditEntries(db, options)) {
      if (failure) throw failure;
      const chunk = batch.map((entry) => `${JSON.stringify(entry)}\n`).join('');
      count += batch.length;
      if (!out.write(chunk)) await drained(out);
    }
    if (failure) throw failure;
    return { count };
  } finally {
    out.off('error', onError);
  }
}

/** Resolves when `out` wants more, rejects if it fails or closes first (else the export would wait forever). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      out.off('drain', onDrain).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error('the output closed before the export ended'));
    out.on('drain', onDrain).on('error', onError).on('close', onClose);
  });
}
