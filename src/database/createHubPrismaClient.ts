import { PrismaClient } from '../generated/hub/client.ts';
import { pgAdapter, type PrismaClientOptions } from './createPrismaClient.ts';

/** The hub database's client: joint operations (schema `hub`) and the gateway's audit log. */
export type HubPrismaClient = PrismaClient;

/** A Prisma 7 client of the hub database, behind the gateway (prisma/hub). */
export function createHubPrismaClient(options: PrismaClientOptions): HubPrismaClient {
  return new PrismaClient({ adapter: pgAdapter(options) });
}
