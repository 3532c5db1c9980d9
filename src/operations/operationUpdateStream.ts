import type { AuditRecordRef } from '../audit/auditEntry.ts';
import { jointOperationPurpose } from '../consent/agreement.ts';
import type { OperationUpdate, Prisma } from '../generated/hub/client.ts';
import type { FeedSpec } from '../realtime/feedStream.ts';
import { appendHubEvents, audience, hubSource } from '../realtime/hubFeedStore.ts';

/** The kind of the hub's events that announce a change to a joint operation. */
export const operationUpdateKind = 'OPERATION_UPDATE';

/**
 * Puts the operation's updates `from`…`to` on the hub's feed, in the change's
 * transaction (the hub's outbox): addressed to the operation's members,
 * working in it (JOINT_OPERATION with its code).
 */
export function announceUpdates(tx: Prisma.TransactionClient, operation: { id: string; code: string }, from: number, to: number, at: Date): Promise<void> {
  return appendHubEvents(
    tx,
    Array.from({ length: to - from + 1 }, (_unused, index) => ({
      at,
      kind: operationUpdateKind,
      audience: audience.operation(operation.id),
      recordId: operation.id,
      purpose: jointOperationPurpose,
      caseReference: operation.code,
      details: { seq: from + index },
    })),
  );
}

/**
 * The `operationUpdates` subscription of one operation: its updates from the
 * hub's feed, each once and in order, from the first the feed keeps when no
 * cursor is given. Each push is a request (feedStream.ts): the member is
 * verified again, and what its fields show of linked alerts is asked of their
 * owners for that push and logged with it.
 */
export function operationUpdatesFeed(operation: { id: string }, records: AuditRecordRef[]): FeedSpec<OperationUpdate> {
  return {
    field: 'operationUpdates',
    kinds: [operationUpdateKind],
    audiences: [audience.operation(operation.id)],
    sources: [hubSource],
    startWithoutCursor: 'beginning',
    records,
    async deliver(context, row) {
      const seq = (row.details as { seq?: unknown } | null)?.seq;
      if (typeof seq !== 'number') return null;
      return context.prisma.operationUpdate.findUnique({ where: { operationId_seq: { operationId: operation.id, seq } } });
    },
    note: (audit) => audit.note(...records),
  };
}
