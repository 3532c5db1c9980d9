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

/** The node-postgres adapter every Prisma client of the project runs on: no native engine involved. */
export function pgAdapter({ databaseUrl, maxConnections = 10 }: PrismaClientOptions): PrismaPg {
  return new PrismaPg({ connectionString: databaseUrl, max: maxConnections });
}

/** A Prisma 7 client of an agency node's database (schema.prisma). */
export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  return new PrismaClient({ adapter: pgAdapter(options) });
}
