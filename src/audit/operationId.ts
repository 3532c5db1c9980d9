import { randomUUID } from 'node:crypto';

/**
 * One join key per operation. The client's W3C trace context is kept as the
 * parent of the gateway's spans, but two operations may come with the same
 * one, so the log does not join on it: the gateway gives every operation an
 * id of its own, sends it to the nodes with every call it makes for it, and
 * each party writes it into every entry the operation causes
 * (`audit.entry.operation_id`).
 */

/** Header of a gateway → node call with the id of the gateway's operation it serves. */
export const operationIdHeader = 'x-hub-operation-id';

/**
 * Header of a gateway → node call that changes something: the key a node
 * honours so that the call, sent again, is not applied twice (the IETF
 * Idempotency-Key header). The gateway sends `<operation id>/<n>`, n counting
 * the changes of the operation.
 */
export const idempotencyKeyHeader = 'idempotency-key';

/** A new operation's id. */
export const newOperationId = (): string => randomUUID();

const operationIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const idempotencyKeyPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/[1-9][0-9]{0,5}$/;

/** The operation id a call carries, or null when it carries none or a malformed one (taken as sent or not at all). */
export function parseOperationId(value: string | null | undefined): string | null {
  return value && operationIdPattern.test(value) ? value : null;
}

/** The idempotency key a call carries for its operation, or null when it has none, or one not of that operation. */
export function parseIdempotencyKey(value: string | null | undefined, operationId: string | null): string | null {
  return value && operationId && idempotencyKeyPattern.test(value) && value.startsWith(`${operationId}/`) ? value : null;
}
