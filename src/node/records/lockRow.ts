import { Prisma } from '../../generated/node/client.ts';
import { isUuid } from '../../domain/ids.ts';

/** Tables whose rows change state under a decision that must be taken once. */
const lockable = { alert: true, trace_request: true, consent_request: true, consent_grant: true } as const;

/**
 * Takes the row lock of one record for the rest of the transaction, so that
 * two officers acting at once cannot both pass the same state check.
 * Resolves false when no such record exists.
 */
export async function lockRow(tx: Prisma.TransactionClient, table: keyof typeof lockable, id: string): Promise<boolean> {
  if (!isUuid(id) || !Object.hasOwn(lockable, table)) return false;
  const rows = await tx.$queryRaw<{ id: string }[]>`select id from ${Prisma.raw(`node.${table}`)} where id = ${id}::uuid for update`;
  return rows.length === 1;
}
