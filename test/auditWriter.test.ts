import { describe, expect, it } from 'vitest';
import { appendAuditEntry } from '../src/audit/appendAuditEntry.ts';
import type { AuditEntryInput } from '../src/audit/auditEntry.ts';
import { createAuditWriter } from '../src/audit/createAuditWriter.ts';
import { createPrismaClient } from '../src/database/createPrismaClient.ts';
import { appendInput } from './auditAppendInput.ts';
import { adminQuery, createTestDatabase, verifyChainOf } from './helpers.ts';

// Group commit of audit entries: many writers, two processes' writers and
// changes appending in their own transactions all end in one gap-free chain
// that verifies; a caller is answered only once its entry is committed, and a
// batch that cannot be written fails every caller in it (fail-closed).

const entry = (n: number, kind: AuditEntryInput['kind'] = 'DISCLOSURE'): AuditEntryInput => ({ ...appendInput(String(n), kind), variables: { n } });


describe('group commit of audit entries (createAuditWriter)', () => {
  it('chains every entry of concurrent writers, two processes and in-transaction changes into one verifiable log', async () => {
    await using database = await createTestDatabase('writer');
    // Two connection pools stand for two processes of the same party (two gateway replicas).
    const [first, second] = [createPrismaClient({ databaseUrl: database.applicationUrl }), createPrismaClient({ databaseUrl: database.applicationUrl })];
    try {
      const writers = [createAuditWriter({ prisma: first, party: 'XK', maxBatch: 7 }), createAuditWriter({ prisma: second, party: 'XK' })];
      const appended = await Promise.all([
        ...Array.from({ length: 300 }, (_, n) => writers[n % 2]!.append(entry(n))),
        // Changes append in their own transaction, under the same lock, interleaved with the batches.
        ...Array.from({ length: 20 }, (_, n) => first.$transaction((tx) => appendAuditEntry(tx, 'XK', entry(1_000 + n, 'CHANGE')))),
      ]);
      // Each caller got its own entry, with the content it handed over.
      const seqs = appended.map((written) => written.seq);
      expect(new Set(seqs).size).toBe(320);
      expect(Math.min(...seqs)).toBe(1);
      expect(Math.max(...seqs)).toBe(320);
      appended.slice(0, 300).forEach((written, n) => expect(written.variables).toEqual({ n }));
      // And it was committed before the caller heard of it.
      const rows = await adminQuery<{ count: string }>(database.name, 'select count(*) from audit.entry');
      expect(Number(rows[0]!.count)).toBe(320);
      expect(await verifyChainOf(database.url)).toMatchObject({ ok: true, count: 320 });
    } finally {
      await Promise.all([first.$disconnect(), second.$disconnect()]);
    }
  });

  it('fails every caller of a batch that cannot be written, and writes nothing of it', async () => {
    await using database = await createTestDatabase('writer_down');
    const prisma = createPrismaClient({ databaseUrl: database.applicationUrl });
    try {
      const writer = createAuditWriter({ prisma, party: 'XK' });
      await writer.append(entry(0));
      // The log refuses new rows (as when its disk is full or its database is gone).
      await adminQuery(database.name, `create function audit.refuse() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`);
      await adminQuery(database.name, `create trigger refuse before insert on audit.entry for each statement execute function audit.refuse()`);
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => writer.append(entry(n + 1))));
      expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
      await adminQuery(database.name, `drop trigger refuse on audit.entry`);
      // The log resumes where it stood; nothing of the failed batches is in it.
      expect((await writer.append(entry(99))).seq).toBe(2);
      expect(await verifyChainOf(database.url)).toMatchObject({ ok: true, count: 2 });
      // A malformed entry fails alone.
      const [bad, good] = await Promise.allSettled([writer.append({ ...entry(100), kind: 'BOGUS' as never }), writer.append(entry(101))]);
      expect(bad.status).toBe('rejected');
      expect(good.status).toBe('fulfilled');
    } finally {
      await prisma.$disconnect();
    }
  });
});
