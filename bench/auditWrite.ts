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
// numbers only; there is no threshold to pass.
//
//   npx tsx bench/auditWrite.ts [entries] [writers]      (default 20,000 and 32)

import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { appendAuditEntry } from '../src/audit/appendAuditEntry.ts';
import { entryColumnNames, entryHash, genesisHash, normalizeAuditInput, toColumns, type AuditEntryInput } from '../src/audit/auditEntry.ts';
import { createAuditWriter } from '../src/audit/createAuditWriter.ts';
import { verifyAuditChain } from '../src/audit/verifyAuditChain.ts';
import { createPrismaClient } from '../src/database/createPrismaClient.ts';
import { migrate } from '../src/database/migrate.ts';
import { startEmbeddedPostgres } from '../src/database/startEmbeddedPostgres.ts';
import { formatTable, percentile } from './measure.ts';

const total = Number(process.argv[2] ?? 20_000);
const writers = Number(process.argv[3] ?? 32);
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

interface Result {
  way: string;
  entriesPerSecond: number;
  p50: number;
  p99: number;
  verified: string;
}

/** Runs `total` writes with `writers` in flight; resolves with throughput and per-write latency. */
async function drive(write: (n: number) => Promise<unknown>): Promise<{ entriesPerSecond: number; p50: number; p99: number }> {
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

async function verified(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await verifyAuditChain(client);
    return result.ok ? `OK, ${result.count.toLocaleString('en')} entries` : `FAILED at ${result.firstBadSeq}: ${result.reason}`;
  } finally {
    await client.end();
  }
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-audit-write-'));
  const postgres = await startEmbeddedPostgres({ dir, ephemeral: true });
  const results: Result[] = [];
  try {
    const database = async (name: string) => {
      await postgres.ensureDatabase(name);
      await migrate(postgres.url(name), 'node');
      return postgres.url(name);
    };

    // Plain inserts: the same rows, hashed over a constant instead of a chain, each in its own transaction.
    {
      const url = await database('plain');
      const pool = new pg.Pool({ connectionString: url, max: writers });
      const columns = entryColumnNames.map((name) => `"${name}"`).join(', ');
      const sql = `insert into audit.entry (${columns}) select ${columns} from json_populate_recordset(null::audit.entry, $1::json)`;
      const run = await drive(async (n) => {
        const content = { ...normalizeAuditInput(entryOf(n)), seq: n + 1, at: new Date(), party };
        const row = toColumns({ ...content, prevHash: genesisHash, hash: entryHash(genesisHash, content) });
        await pool.query(sql, [JSON.stringify([row])]);
      });
      await pool.end();
      results.push({ way: 'plain inserts (no chain)', ...run, verified: 'not a chain' });
    }

    // The writers of the two chained ways: a pool as large as the writers, as a node's would be under that load.
    const prismaFor = (url: string) => {
      const withPool = new URL(url);
      withPool.searchParams.set('connection_limit', String(writers));
      return createPrismaClient({ databaseUrl: withPool.href });
    };

    {
      const url = await database('per_request');
      const prisma = prismaFor(url);
      const run = await drive((n) => prisma.$transaction((tx) => appendAuditEntry(tx, party, entryOf(n))));
      await prisma.$disconnect();
      results.push({ way: 'entry per request (lock to commit)', ...run, verified: await verified(url) });
    }

    {
      const url = await database('group_commit');
      const prisma = prismaFor(url);
      const writer = createAuditWriter({ prisma, party });
      const run = await drive((n) => writer.append(entryOf(n)));
      await writer.drain();
      await prisma.$disconnect();
      results.push({ way: 'group commit (createAuditWriter)', ...run, verified: await verified(url) });
    }
  } finally {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }

  const plain = results[0]!.entriesPerSecond;
  console.log(`\nAudit write path: ${total.toLocaleString('en')} entries, ${writers} concurrent writers, one party; ${cpus().length} cores shared by Node and PostgreSQL\n`);
  console.log(
    formatTable(
      [
        { header: 'way', align: 'left' },
        { header: 'entries/s', align: 'right' },
        { header: '× plain', align: 'right' },
        { header: 'p50 ms', align: 'right' },
        { header: 'p99 ms', align: 'right' },
        { header: 'audit verify', align: 'left' },
      ],
      results.map((result) => [
        result.way,
        result.entriesPerSecond.toFixed(0),
        (result.entriesPerSecond / plain).toFixed(2),
        result.p50.toFixed(1),
        result.p99.toFixed(1),
        result.verified,
      ]),
    ),
  );
  return results;
}

export const auditWriteBenchmark = main;

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
