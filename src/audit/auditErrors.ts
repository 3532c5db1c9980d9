import { ErrorCode, hubError } from '../errors.ts';

/** The error a client gets when the log cannot take the entry: no entry, no data, no change. */
export function auditUnavailable(cause?: unknown) {
  const error = hubError(ErrorCode.AUDIT_UNAVAILABLE, 'The audit log cannot record this operation, so nothing is released and nothing was changed. Try again later.');
  // Kept for whoever debugs it; the client sees the message and the code only.
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause });
  return error;
}

/**
 * The error a client gets when a change was made at the nodes that own it but
 * the gateway's log could not record its outcome: the answer is withheld
 * (fail-closed), and the client is told the change exists, so that it does not
 * make it again. The gateway's log holds the entry it wrote before asking the
 * nodes (outcome PENDING), the nodes' logs the change, all under `operationId`.
 */
export const auditIncomplete = (audit: { changedAt: readonly string[]; operationId: string | null }) =>
  hubError(
    ErrorCode.AUDIT_INCOMPLETE,
    `Your change was made (at ${audit.changedAt.join(', ')}), but the gateway's audit log could not record its outcome, so the answer is withheld. ` +
      `Do not send it again: read the record to see it. Operation ${audit.operationId}.`,
    { agencies: [...audit.changedAt], operationId: audit.operationId },
  );

/** What a client is told when the operation's entry cannot be written: nothing changed, or a change was made (at `changedAt`). */
export const unrecorded = (audit: { changedAt: readonly string[]; operationId: string | null }) =>
  audit.changedAt.length > 0 ? auditIncomplete(audit) : auditUnavailable();
