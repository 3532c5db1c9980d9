import type { ChangeJournal } from '../../audit/auditCollector.ts';
import type { AuditRecordRef, JsonValue, TermDigest } from '../../audit/auditEntry.ts';
import type { Prisma, PrismaClient } from '../../generated/node/client.ts';
import { appendEvents, type OutboxEvent } from '../../realtime/eventOutbox.ts';

/**
 * One change of a node's records, with everything that must commit with it:
 * its audit entry and the events it causes. Record functions receive it from
 * {@link inUnitOfWork}; none opens a transaction of its own.
 */
export interface UnitOfWork {
  tx: Prisma.TransactionClient;
  /** Queues an event; it is written, numbered, just before the change's audit entry. */
  emit(...events: OutboxEvent[]): void;
  /**
   * Writes the change's entry (with the queued events first): the last
   * statement of the change. `digests`: of identifiers the change concerns
   * that the operation's own input does not carry (a removed watch entry's).
   */
  journal(records: AuditRecordRef[], details?: JsonValue, digests?: readonly TermDigest[]): Promise<void>;
}

/** Options for {@link inUnitOfWork}. */
export interface UnitOfWorkOptions {
  /** Transaction timeout in ms. Default 10,000 (retro matching of a new watch entry reads many records). */
  timeoutMs?: number;
}

/**
 * Runs a change in one transaction with its journal and outbox, and refuses
 * to commit a change that wrote no audit entry, or that queued events after
 * it: a write path cannot forget its entry or its events.
 */
export async function inUnitOfWork<T>(
  prisma: PrismaClient,
  journal: ChangeJournal,
  work: (unit: UnitOfWork) => Promise<T>,
  { timeoutMs = 10_000 }: UnitOfWorkOptions = {},
): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      const pending: OutboxEvent[] = [];
      let journaled = false;
      const unit: UnitOfWork = {
        tx,
        emit: (...events) => {
          if (journaled) throw new Error('unit of work: an event was emitted after the audit entry; emit before journal()');
          pending.push(...events);
        },
        journal: async (records, details = null, digests = []) => {
          if (journaled) throw new Error('unit of work: the change was journaled twice');
          const seqs = await appendEvents(tx, pending.splice(0));
          journaled = true;
          await journal(tx, records, seqs.length ? withEvents(details, seqs) : details, digests);
        },
      };
      const result = await work(unit);
      if (!journaled) throw new Error('unit of work: the change wrote no audit entry; call journal() as its last statement');
      return result;
    },
    { timeout: timeoutMs },
  );
}

/** The change's entry names the events it caused, so the log and the outbox can be reconciled. */
function withEvents(details: JsonValue, seqs: number[]): JsonValue {
  const base = details !== null && typeof details === 'object' && !Array.isArray(details) ? details : { details };
  return { ...base, events: seqs };
}
