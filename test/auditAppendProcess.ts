// A second process appending to a party's log, for test/auditAppend.test.ts:
// `count` entries through a group-committing writer and `changes` in
// transactions of their own, all at once, while the test's process appends
// too. Prints the sequence numbers it was given, as JSON, once all are committed.
//
//   node --import tsx test/auditAppendProcess.ts <database url> <count> <changes>

import { appendAuditEntry } from '../src/audit/appendAuditEntry.ts';
import { createAuditWriter } from '../src/audit/createAuditWriter.ts';
import { createPrismaClient } from '../src/database/createPrismaClient.ts';
import { appendInput } from './auditAppendInput.ts';

const [url, count, changes] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const prisma = createPrismaClient({ databaseUrl: url });
try {
  const writer = createAuditWriter({ prisma, party: 'XK', maxBatch: 5 });
  const entries = await Promise.all([
    ...Array.from({ length: count }, (_, n) => writer.append(appendInput(`child-${n}`))),
    ...Array.from({ length: changes }, (_, n) => prisma.$transaction((tx) => appendAuditEntry(tx, 'XK', appendInput(`child-change-${n}`, 'CHANGE')))),
  ]);
  process.stdout.write(JSON.stringify(entries.map((entry) => entry.seq)));
} finally {
  await prisma.$disconnect();
}
