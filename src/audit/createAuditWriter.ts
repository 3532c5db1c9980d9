import type { AuditDatabase } from './auditDatabase.ts';
import { appendCommittedEntries } from './appendAuditEntry.ts';
import { type AuditEntry, type AuditEntryInput } from './auditEntry.ts';
import { normalizeAuditInput } from './normalizeAuditInput.ts';
import type { CommittedHead } from './auditWitness.ts';
import { inSpan } from '../telemetry/tracer.ts';

/** Options for {@link createAuditWriter}. */
export interface AuditWriterOptions {
  /** The party's database, where its log lives. */
  prisma: AuditDatabase;
  /** Whose log: the node's agency code, or GATEWAY. */
  party: string;
  /** Most entries chained in one transaction. Default 500. */
  maxBatch?: number;
  /** Told of the last entry of every batch once it is committed. Default: nobody. */
  committedHead?: CommittedHead;
}

export interface AuditWriter {
  /**
   * Appends one entry and resolves once it is committed in the chain, so a
   * caller that releases data after it has its entry durable first
   * (fail-closed); rejects when the entry could not be written.
   */
  append(input: AuditEntryInput): Promise<AuditEntry>;
  /** Resolves when every entry handed over so far is written (or failed). */
  drain(): Promise<void>;
}

interface Waiting {
  input: AuditEntryInput;
  resolve: (entry: AuditEntry) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the audit log of the entries that do not belong to a
 * change's own transaction (disclosures, consultations, denials). Appending
 * takes the log's lock until commit, so one transaction per entry serialises
 * every request of the party on that lock and on its commit's flush. Here the
 * entries that arrive while one batch commits wait for the next, and each
 * batch is chained under one lock, one insert and one commit, all in one
 * statement (appendCommittedEntries): the lock is taken once per batch
 * instead of once per request, and held for one round trip, not five.
 *
 * Nothing else changes: a batch is chained on the head like any append, by
 * whichever process holds the lock, so several processes (two gateways) and
 * in-transaction appends of changes (journaled) interleave in one gap-free
 * chain. A caller waits at most for the batch in flight and its own; with no
 * concurrency a batch is one entry, written at once.
 */
export function createAuditWriter({ prisma, party, maxBatch = 500, committedHead }: AuditWriterOptions): AuditWriter {
  let queue: Waiting[] = [];
  let flushing: Promise<void> | null = null;

  const flush = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const entries = await appendCommittedEntries(prisma, party, batch.map((waiting) => waiting.input));
        committedHead?.observe(entries.at(-1)!);
        batch.forEach((waiting, index) => waiting.resolve(entries[index]!));
      } catch (error) {
        // The batch is one transaction: none of its entries was written, so none of their data is released.
        for (const waiting of batch) waiting.reject(error);
      }
    }
  };

  const start = () => {
    flushing ??= flush().finally(() => {
      flushing = null;
      if (queue.length > 0) start();
    });
    return flushing;
  };

  return {
    append(input) {
      // The span covers the wait for the batch in flight and the entry's own commit: what a request waits for its entry.
      return inSpan('audit.append', { 'hub.party': party, 'hub.audit.kind': input.kind }, () =>
        new Promise<AuditEntry>((resolve, reject) => {
          // A malformed entry fails alone, before it can take a batch of others down with it.
          normalizeAuditInput(input);
          queue.push({ input, resolve, reject });
          void start();
        }),
      );
    },
    async drain() {
      while (flushing) await flushing;
    },
  };
}
