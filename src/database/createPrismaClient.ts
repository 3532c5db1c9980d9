import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/node/client.ts';

export type { PrismaClient };

/** Options for {@link createPrismaClient} and createHubPrismaClient. */
export interface PrismaClientOptions {
  /** PostgreSQL connection string of the party's database. */
  databaseUrl: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
}

type PgDriverAdapter = Awaited<ReturnType<PrismaPg['connect']>>;
type PgTransaction = Awaited<ReturnType<PgDriverAdapter['startTransaction']>>;

/**
 * PrismaPg, with the statements of a transaction sent one at a time. Prisma
 * loads the relations of a record in parallel (the children of a join, as the
 * include of every alert write has); outside a transaction each goes to a
 * connection of the pool, but a transaction has one, and adapter-pg hands it
 * them all at once: pg queues them itself, deprecated since pg 8.19 (its
 * DeprecationWarning on `npm start`) and an error in pg 9. They ran one after
 * another on that connection already: the order is now ours, not pg's queue.
 * Upstream: prisma/orm#29979 (adapter-pg serialises them, not yet released).
 */
class PrismaPgOneStatementAtATime extends PrismaPg {
  override async connect(): Promise<PgDriverAdapter> {
    const adapter = await super.connect();
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => oneStatementAtATime(await startTransaction(isolationLevel));
    return adapter;
  }
}

function oneStatementAtATime(transaction: PgTransaction): PgTransaction {
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(send: () => Promise<T>): Promise<T> => {
    const turn = last.then(send);
    last = turn.catch(() => undefined);
    return turn;
  };
  const queryRaw = transaction.queryRaw.bind(transaction);
  const executeRaw = transaction.executeRaw.bind(transaction);
  // Savepoints go through executeRaw, so they take their turn too.
  transaction.queryRaw = (query) => inTurn(() => queryRaw(query));
  transaction.executeRaw = (query) => inTurn(() => executeRaw(query));
  return transaction;
}

/** The node-postgres adapter every Prisma client of the project runs on: no native engine involved. */
export function pgAdapter({ databaseUrl, maxConnections = 10 }: PrismaClientOptions): PrismaPg {
  return new PrismaPgOneStatementAtATime({ connectionString: databaseUrl, max: maxConnections });
}

/** A Prisma 7 client of an agency node's database (schema.prisma). */
export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  return new PrismaClient({ adapter: pgAdapter(options) });
}
