import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceJournal } from '../src/audit/auditCollector.ts';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { readEvents } from '../src/realtime/eventOutbox.ts';
import { inUnitOfWork } from '../src/node/records/unitOfWork.ts';
import { mulberry32 } from '../src/demo/demoData.ts';
import { adminQuery, createTestDatabase, type TestDatabase } from './helpers.ts';

const journal = serviceJournal('XK', 'service:test');
const hit = () => ({ kind: 'HIT' as const, recipientAgency: 'MK', recipientUnit: 'MK-BP-BLACE', purpose: null, caseReference: null, watchEntryId: null, alertId: randomUUID(), details: null });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('unit of work: a change, its audit entry and its events', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase('uow');
    prisma = createPrismaClient({ databaseUrl: database.applicationUrl });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.[Symbol.asyncDispose]();
  });

  it('refuses to commit a change that wrote no audit entry, and keeps nothing of it', async () => {
    await expect(
      inUnitOfWork(prisma, journal, async (unit) => {
        await unit.tx.agency.create({ data: { code: 'AL', name: 'Albanian State Police', country: 'Albania' } });
        unit.emit(hit());
      }),
    ).rejects.toThrow(/wrote no audit entry/);
    expect(await prisma.agency.findUnique({ where: { code: 'AL' } })).toBeNull();
    expect(await prisma.event.count()).toBe(0);
  });

  it('refuses an event emitted after the entry', async () => {
    await expect(
      inUnitOfWork(prisma, journal, async (unit) => {
        await unit.journal([]);
        unit.emit(hit());
      }),
    ).rejects.toThrow(/after the audit entry/);
    expect(await prisma.event.count()).toBe(0);
  });

  it('numbers events without gaps, and a reader never sees a number before a smaller one has committed', async () => {
    const random = mulberry32(8);
    const before = (await adminQuery<{ n: number }>(database.name, 'select count(*)::int as n from node.event'))[0]!.n;
    const writers = Array.from({ length: 12 }, (_, index) =>
      inUnitOfWork(prisma, journal, async (unit) => {
        unit.emit(...Array.from({ length: 1 + (index % 3) }, hit));
        // Writers commit out of step: some hold their transaction longer than the ones after them.
        await unit.journal([], { writer: index });
        await sleep(Math.floor(random() * 40));
        // One in four rolls back after taking its numbers: they must be given again, not left as a hole.
        if (index % 4 === 3) throw new Error('rolled back on purpose');
      }).catch((error: Error) => error),
    );
    let reading = true;
    const reader = (async () => {
      const seen: number[][] = [];
      while (reading) {
        seen.push((await readEvents(prisma, 0, 1_000)).map((event) => event.seq));
        await sleep(2);
      }
      return seen;
    })();
    const results = await Promise.all(writers);
    reading = false;
    const reads = await reader;
    expect(results.filter((result) => result instanceof Error)).toHaveLength(3);
    for (const seqs of reads) expect(seqs).toEqual(seqs.map((_seq, index) => before + index + 1));
    const all = (await readEvents(prisma, 0, 1_000)).map((event) => event.seq);
    const committed = Array.from({ length: 12 }, (_, index) => (index % 4 === 3 ? 0 : 1 + (index % 3))).reduce((a, b) => a + b, 0);
    expect(all).toEqual(Array.from({ length: before + committed }, (_, index) => index + 1));
  });
});
