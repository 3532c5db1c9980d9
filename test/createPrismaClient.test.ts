import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { PrismaClient as NodePrismaClient } from '../src/generated/node/client.ts';
import { seedDemoData } from '../src/demo/seedDemoData.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';

// A transaction has one connection. pg queues what is sent to a client that is
// still busy, and deprecates it (pg 8.19; an error in pg 9): a statement must be
// sent only once the one before has answered. Seen on the wire, by counting the
// statements each real pg client has in flight when the next is sent.

const Client = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const send = Client.query;
const inFlight = new WeakMap<object, number>();
let overlaps = 0;

beforeAll(() => {
  Client.query = function (this: object, ...args: unknown[]) {
    const busy = inFlight.get(this) ?? 0;
    if (busy > 0) overlaps++;
    const sent = send.apply(this, args);
    if (sent instanceof Promise) {
      inFlight.set(this, busy + 1);
      const done = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
      sent.then(done, done);
    }
    return sent;
  };
});
afterAll(() => {
  Client.query = send;
});

let database: TestDatabase;
let prisma: PrismaClient;
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);

beforeAll(async () => {
  database = await createTestDatabase('prisma_client');
  const seeding = createPrismaClient({ databaseUrl: database.url });
  await seedDemoData(seeding, 'XK');
  await seeding.$disconnect();
  prisma = createPrismaClient({ databaseUrl: database.url });
  process.on('warning', onWarning);
});
afterAll(async () => {
  process.off('warning', onWarning);
  await prisma?.$disconnect();
  await database?.[Symbol.asyncDispose]();
});

/** An alert with the relations Prisma loads side by side, read and changed in one transaction. */
const withRelations = (client: PrismaClient) =>
  client.$transaction(async (tx) => {
    const alert = await tx.alert.findFirstOrThrow({ where: { firearms: { some: {} } }, include: { firearms: true, vehicles: true, subjects: true, sharingRules: true } });
    const updated = await tx.alert.update({ where: { id: alert.id }, data: { version: { increment: 1 } }, include: { firearms: true, vehicles: true, subjects: true } });
    return { alert, updated };
  });

describe('the Prisma clients', () => {
  it('send a transaction\u2019s statements one at a time, relations loaded side by side included', async () => {
    overlaps = 0;
    const { alert, updated } = await withRelations(prisma);
    expect(alert.firearms.length).toBeGreaterThan(0);
    expect(updated.version).toBe(alert.version + 1);
    expect(updated.firearms).toEqual(alert.firearms);
    expect(overlaps).toBe(0);
    expect(warnings.filter((warning) => warning.includes('already executing a query'))).toEqual([]);
  });

  it('where adapter-pg alone sends them together (what the count above would see)', async () => {
    const plain = new NodePrismaClient({ adapter: new PrismaPg({ connectionString: database.url, max: 2 }) });
    try {
      overlaps = 0;
      await withRelations(plain);
      expect(overlaps).toBeGreaterThan(0);
    } finally {
      await plain.$disconnect();
    }
  });

  it('go on after a statement fails: the ones queued behind it are answered, and the next transaction runs', async () => {
    const outcomes = await prisma
      .$transaction(async (tx) => Promise.allSettled([tx.$queryRaw`select 1 / 0`, tx.$queryRaw`select 1 as one`, tx.alert.count()]))
      .catch((error: unknown) => [{ status: 'rejected', reason: error }]);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes[0]).toMatchObject({ status: 'rejected' });
    expect(await prisma.$transaction((tx) => tx.$queryRaw`select 2 as two`)).toEqual([{ two: 2 }]);
  });
});
