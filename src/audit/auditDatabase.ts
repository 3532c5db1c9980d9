import type { Prisma, PrismaClient } from '../generated/node/client.ts';

/**
 * What the audit log needs of a party's transaction: raw SQL. Every party's
 * Prisma client (a node's, the hub's) models the same `audit` schema
 * (prisma/audit.prisma), so either client's transaction is one.
 */
export type AuditTransaction = Pick<Prisma.TransactionClient, '$queryRaw' | '$executeRaw'>;

/** What the audit log needs of a party's database client: transactions, and the entries to read. */
export interface AuditDatabase {
  $transaction<T>(run: (tx: AuditTransaction) => Promise<T>): Promise<T>;
  $queryRaw: PrismaClient['$queryRaw'];
  auditEntry: Pick<PrismaClient['auditEntry'], 'findMany' | 'count'>;
}
