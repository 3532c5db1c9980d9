import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type { PrismaClient };

/** Options for {@link createPrismaClient}. */
export interface PrismaClientOptions {
  /** PostgreSQL connection string of the party's database. */
  databaseUrl: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /**
   * Database role every connection takes (SET ROLE). The services run as
   * {@link applicationRole}, which may only read and append to the audit log.
   * Default: the login role itself (migrations, administration).
   */
  role?: string;
}

/** The role of the running services, created by migrations/0003_audit.sql. */
export const applicationRole = 'hub_app';

/** A Prisma 7 client over node-postgres: no native engine involved. */
export function createPrismaClient({ databaseUrl, maxConnections = 10, role }: PrismaClientOptions): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: maxConnections, ...(role ? { options: `-c role=${role}` } : {}) });
  return new PrismaClient({ adapter });
}
