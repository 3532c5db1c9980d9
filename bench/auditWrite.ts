// The audit write path at one party: chained entries per second with many
// concurrent writers, against plain inserts into the same table in the same
// run, and the cost of one entry to the request that waits for it. Three ways
// to write, each on a fresh database of one throw-away embedded PostgreSQL:
//
//   plain inserts      one row per transaction, no lock and no chain: what the table itself takes
//   entry per request  appendAuditEntry in a transaction of its own (the log's lock held to commit)
//   group commit       createAuditWriter: entries that arrive while a batch commits go in the next
//
// Each chained log is verified afterwards (gap-free, every hash). It prints
// numbers only; there is no threshold to pass. The suite's part auditWrite
// (bench/parts/auditWrite.ts) runs it; alone:
//
//   npx tsx bench/auditWrite.ts [entries] [writers]      (default 20,000 and 32)

import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { appendAuditEntry } from '../src/audit/appendAuditEntry.ts';
import { genesisHash, type AuditEntryInput } from '../src/audit/auditEntry.ts';
import { entryColumnNames, entryHash, toColumns } from '../src/audit/entryColumns.ts';
import { normalizeAuditInput } from '../src/audit/normalizeAuditInput.ts';
import { createAuditWriter } from '../src/audit/createAuditWriter.ts';
import { verifyAuditChain } from '../src/audit/verifyAuditChain.ts';
import { createPrismaClient } from '../src/database/createPrismaClient.ts';
import { migrate } from '../src/database/migrate.ts';
import { startEmbeddedPostgres } from '../src/database/startEmbeddedPostgres.ts';
import { percentile } from './measure.ts';
import { formatNumber, formatTable } from './report.ts';

const party = 'XK';

/** A disclosure as a node writes one: who, why, which records at which tier. */
function entryOf(n: number): AuditEntryInput {
  return {
    kind: 'DISCLOSURE',
    actor: { sub: `mk-officer-${n % 250}`, agency: 'MK', unit: 'MK-BP-BLACE', roles: ['officer'] },
    purpose: 'CRIMINAL_INVESTIGATION',
    caseReference: `XK-MK-2026-${(n % 400).toString().padStart(4, '0')}`,
    operation: 'query Alerts',
    documentHash: '3f'.repeat(32),
    variables: { first: 20 },
    records: [{ agency: 'XK', id: `0190b0f4-0000-7000-8000-${n.toString().padStart(12, '0')}`, reference: `XK-ALR-2026-${n}`, tier: 'HIT', basis: 'DEFAULT_POLICY' }],
    outcome: 'OK',
    errorCode: null,
    clientAddress: '127.0.0.1',
    traceId: n.toString(16).padStart(32, '0'),
    details: null,
  };
}

export interface AuditWriteOptions {
  /** Entries written each way. Default 20,000. */
  total?: number;
  /** Concurrent writers. Default 32. */
  writers?: number;
  log?: (line: string) => void;
}

export interface AuditWriteRun {
  entriesPerSecond: number;
  /** Time one write waited, from the call until its entry (or row) was committed. */
  p50: number;
  p99: number;
}

/** The three ways of writing, measured in one run on the same PostgreSQL. */
export interface AuditWriteResults {
  /** Entries written by plain inserts and by group commit; one transaction per entry writes a quarter as many. */
  total: number;
  writers: number;
  plain: AuditWriteRun;
  perRequest: AuditWriteRun;
  groupCommit: AuditWriteRun;
}

/** Runs `total` writes with `writers` in flight; resolves with throughput and per-write latency. */
async function drive(total: number, writers: number, write: (n: number) => Promise<unknown>): Promise<AuditWriteRun> {
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) {
        const n = next++;
        const began = performance.now();
        await write(n);
        durations.push(performance.now() - began);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  durations.sort((a, b) => a - b);
  return { entriesPerSecond: total / seconds, p50: percentile(durations, 0.5), p99: percentile(durations, 0.99) };
}

/** Verifies the chain written (gap-free, every hash) and that it holds `total` entries; a chain that fails is a failed run. */
async function verify(url: string, total: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await verifyAuditChain(client);
    if (!result.ok) throw new Error(`audit verify failed at ${result.firstBadSeq}: ${result.reason}`);
    if (result.count !== total) throw new Error(`the chain holds ${result.count} entries, ${total} were written`);
  } finally {
    await client.end();
  }
}

/** Plain inserts, one entry per request, group commit: each on a fresh database, the chains verified. */
export async function measureAuditWrite({ total = 20_000, writers = 32, log = () => {} }: AuditWriteOptions = {}): Promise<AuditWriteResults> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-audit-write-'));
  // As root, PostgreSQL runs as the postgres user, who must reach the cluster.
  await chmod(dir, 0o755);
  const postgres = await startEmbeddedPostgres({ dir, ephemeral: true });
  try {
    const database = async (name: string) => {
      await postgres.ensureDatabase(name);
      await migrate(postgres.url(name), 'node');
      return postgres.url(name);
    };
    // Every database migrated first, so that the ways run back to back.
    const urls = { plain: await database('plain'), groupCommit: await database('group_commit'), perRequest: await database('per_request') };

    let plain: AuditWriteRun;
    // Plain inserts: the same rows, hashed over a constant instead of a chain, each in its own transaction.
    {
      const url = urls.plain;
      const pool = new pg.Pool({ connectionString: url, max: writers });
      const columns = entryColumnNames.map((name) => `"${name}"`).join(', ');
      const sql = `insert into audit.entry (${columns}) select ${columns} from json_populate_recordset(null::audit.entry, $1::json)`;
      log(`auditWrite: ${total.toLocaleString('en')} plain inserts, ${writers} writers`);
      const run = await drive(total, writers, async (n) => {
        const content = { ...normalizeAuditInput(entryOf(n)), seq: n + 1, at: new Date(), party };
        const row = toColumns({ ...content, prevHash: genesisHash, hash: entryHash(genesisHash, content) });
        await pool.query(sql, [JSON.stringify([row])]);
      });
      await pool.end();
      plain = run;
    }

    // The writers of the two chained ways: a pool as large as the writers, as a node's would be under that load.
    const prismaFor = (url: string) => {
      const withPool = new URL(url);
      withPool.searchParams.set('connection_limit', String(writers));
      return createPrismaClient({ databaseUrl: withPool.href });
    };

    // Group commit right after plain inserts: the comparison the goal is about, under the same conditions.
    let groupCommit: AuditWriteRun;
    {
      const url = urls.groupCommit;
      const prisma = prismaFor(url);
      const writer = createAuditWriter({ prisma, party });
      log(`auditWrite: ${total.toLocaleString('en')} entries, group commit`);
      groupCommit = await drive(total, writers, (n) => writer.append(entryOf(n)));
      await writer.drain();
      await prisma.$disconnect();
      await verify(url, total);
    }
    let perRequest: AuditWriteRun;
    {
      const url = urls.perRequest;
      const prisma = prismaFor(url);
      // A quarter as many: this way is an order of magnitude slower, and its rate is steady long before.
      const count = Math.max(writers, Math.ceil(total / 4));
      log(`auditWrite: ${count.toLocaleString('en')} entries, one transaction each`);
      // 32 writers queue for one lock: Prisma's default 2 s wait for a transaction to start is too short on a busy machine.
      const patience = { maxWait: 60_000, timeout: 60_000 };
      perRequest = await drive(count, writers, (n) => prisma.$transaction((tx) => appendAuditEntry(tx, party, entryOf(n)), patience));
      await prisma.$disconnect();
      await verify(url, count);
    }

    return { total, writers, plain, perRequest, groupCommit };
  } finally {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const wayNames = { plain: 'plain inserts (no chain)', perRequest: 'entry per request (lock to commit)', groupCommit: 'group commit (createAuditWriter)' } as const;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await measureAuditWrite({ total: Number(process.argv[2] ?? 20_000), writers: Number(process.argv[3] ?? 32), log: (line) => console.error(`… ${line}`) });
  console.log(`\nAudit write path: ${results.total.toLocaleString('en')} entries (a quarter as many one per transaction), ${results.writers} concurrent writers, one party; ${cpus().length} cores shared by Node and PostgreSQL; both chains verified\n`);
  console.log(
    formatTable(
      [
        { header: 'way', align: 'left' },
        { header: 'entries/s', align: 'right' },
        { header: '× plain', align: 'right' },
        { header: 'p50 ms', align: 'right' },
        { header: 'p99 ms', align: 'right' },
      ],
      (['plain', 'perRequest', 'groupCommit'] as const).map((way) => [
        wayNames[way],
        formatNumber(results[way].entriesPerSecond),
        formatNumber(results[way].entriesPerSecond / results.plain.entriesPerSecond),
        formatNumber(results[way].p50),
        formatNumber(results[way].p99),
      ]),
    ),
  );
}
