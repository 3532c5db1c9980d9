// `audit export` and `audit verify` over a million-entry log, on a throw-away
// embedded PostgreSQL: elapsed time, entries per second and peak RSS of each.
// Each runs in a child process, so that its peak RSS is its own and not the
// filling's. It prints numbers only; there is no threshold to pass.
//
//   npx tsx bench/auditExport.ts [entries]      (default 1,000,000)

import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { chainEntries, type AuditHead } from '../src/audit/appendAuditEntry.ts';
import { genesisHash, type AuditEntryInput } from '../src/audit/auditEntry.ts';
import { entryColumnNames, toColumns } from '../src/audit/entryColumns.ts';
import { normalizeAuditInput } from '../src/audit/normalizeAuditInput.ts';
import { runAuditCommand } from '../src/audit/runAuditCommand.ts';
import { migrate } from '../src/database/migrate.ts';
import { startEmbeddedPostgres } from '../src/database/startEmbeddedPostgres.ts';

const insertBatch = 5_000;
/**
 * The V8 heap limit `npm run hub:audit` gives the audit commands (package.json):
 * the runs held to goal 6 use it, so they measure the command as it is run.
 * Read from package.json rather than repeated here, so the two cannot drift.
 */
const cappedHeapMb = auditScriptHeapMb();

function auditScriptHeapMb(): number {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  const flag = /--max-old-space-size=(\d+)/.exec(packageJson.scripts['hub:audit'] ?? '');
  if (!flag) throw new Error('package.json: the hub:audit script must set --max-old-space-size');
  return Number(flag[1]);
}
const start = Date.parse('2026-01-01T00:00:00.000Z');
/** One entry every 30 s: a million span about a year. */
const entryInterval = 30_000;
const atOf = (seq: number) => new Date(start + (seq - 1) * entryInterval);

/** What one child process reports. */
export interface ChildReport {
  code: number;
  elapsedMs: number;
  /** RSS once loaded, before the command started. */
  baselineRss: number;
  /** Highest RSS of the process's life (getrusage). */
  maxRss: number;
  /** Highest heap used, sampled every 20 ms. */
  peakHeapUsed: number;
}

/** A disclosure as a node writes it: an officer, a search, the records released and why. */
function benchInput(seq: number): AuditEntryInput {
  const records = Array.from({ length: 1 + (seq % 3) }, (_, r) => ({
    agency: 'XK',
    id: `0190b0f4-${(seq % 10_000).toString().padStart(4, '0')}-7000-8000-${r.toString().padStart(12, '0')}`,
    reference: `XK-2026-${((seq * 7 + r) % 99_999).toString().padStart(5, '0')}`,
    tier: r === 0 ? 'FULL' : 'SUMMARY',
    basis: r === 0 ? 'GRANT' : 'SHARING_RULE',
    ...(r === 0 ? { grantId: '0190b0f4-aaaa-7000-8000-000000000001' } : {}),
  }));
  return {
    kind: 'DISCLOSURE',
    actor: { sub: `mk-officer-${seq % 250}`, agency: 'MK', unit: 'MK-BP-BLACE', roles: ['officer', 'analyst'] },
    purpose: 'CRIMINAL_INVESTIGATION',
    caseReference: `XK-MK-2026-${(seq % 400).toString().padStart(4, '0')}`,
    operation: 'Search',
    documentHash: '3f'.repeat(32),
    variables: { input: { serial: `AK${seq % 100_000}`, kinds: ['SEIZURE', 'STOLEN_FIREARM'] }, first: 20 },
    records,
    outcome: 'OK',
    errorCode: null,
    clientAddress: '10.20.30.40',
    traceId: seq.toString(16).padStart(32, '0'),
    details: { recipientAgency: 'MK', gatewayRequest: seq },
  };
}

/**
 * Fills the log the way appendAuditEntry would, only faster: hashed in Node
 * (the same chainEntries) and inserted a few thousand rows per statement,
 * the next batch hashed while PostgreSQL inserts the previous one.
 */
async function fill(url: string, total: number, log: (line: string) => void): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const columns = entryColumnNames.map((name) => `"${name}"`).join(', ');
  const sql = `insert into audit.entry (${columns}) select ${columns} from json_populate_recordset(null::audit.entry, $1::json)`;
  const began = performance.now();
  try {
    let head: AuditHead = { seq: 0, hash: genesisHash };
    let inserting: Promise<unknown> = Promise.resolve();
    while (head.seq < total) {
      const rows = [];
      const last = Math.min(head.seq + insertBatch, total);
      for (let seq = head.seq + 1; seq <= last; seq += 1) {
        const [entry] = chainEntries(head, 'XK', [normalizeAuditInput(benchInput(seq))], atOf(seq));
        rows.push(toColumns(entry!));
        head = { seq: entry!.seq, hash: entry!.hash };
      }
      await inserting;
      inserting = client.query(sql, [JSON.stringify(rows)]);
      if (head.seq % 100_000 === 0) log(`auditExport: hashed ${head.seq.toLocaleString('en')} entries`);
    }
    await inserting;
    await client.query('vacuum analyze audit.entry');
  } finally {
    await client.end();
  }
  return performance.now() - began;
}

/** Runs `hub audit <argv>` in a child process (this file), its stdout to `output`. */
async function inChild(argv: string[], output: string, nodeFlags: string[] = []): Promise<ChildReport> {
  const child = spawn(process.execPath, [...nodeFlags, ...process.execArgv, fileURLToPath(import.meta.url), '--child', output, ...argv], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let report: ChildReport | undefined;
  child.on('message', (message) => {
    report = message as ChildReport;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0 || !report) throw new Error(`child for ${argv.join(' ')} exited with ${code}`);
  return report;
}

/** The child: runs the command with stdout to a file (a write stream, so backpressure applies) and reports. */
async function child(output: string, argv: string[]): Promise<void> {
  const stdout = createWriteStream(output);
  const baselineRss = process.memoryUsage().rss;
  let peakHeapUsed = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
  }, 20);
  const began = performance.now();
  const code = await runAuditCommand(argv, { stdout, stderr: process.stderr, env: process.env });
  await new Promise<void>((resolve, reject) => stdout.end((error?: Error | null) => (error ? reject(error) : resolve())));
  const elapsedMs = performance.now() - began;
  clearInterval(sampler);
  const report: ChildReport = { code, elapsedMs, baselineRss, maxRss: process.resourceUsage().maxRSS * 1024, peakHeapUsed };
  process.send!(report, () => process.disconnect());
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
  }
  return lines;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const perSecond = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en')}/s`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeRun(label: string, count: number, report: ChildReport): string {
  return [
    `${label.padEnd(34)} ${seconds(report.elapsedMs).padStart(8)}  ${perSecond(count, report.elapsedMs).padStart(10)}`,
    `peak RSS ${mb(report.maxRss).padStart(6)} (${mb(report.baselineRss)} once loaded)`,
    `peak heap ${mb(report.peakHeapUsed)}`,
  ].join('   ');
}

/** Everything one run measured. */
export interface AuditExportResults {
  total: number;
  fillMs: number;
  /** Table and index sizes, as PostgreSQL prints them. */
  sizes: string;
  /** Export of the first tenth of the log (a time range); skipped when not asked for. */
  partial: ChildReport | null;
  /** Export of the whole log, with the lines and bytes it wrote. */
  full: ChildReport & { lines: number; bytes: number };
  /** The whole export as `npm run hub:audit` runs it: V8's heap capped at {@link cappedHeapMb} MB. */
  capped: ChildReport;
  verify: ChildReport & { verdict: string };
  cappedVerify: ChildReport;
}

export { cappedHeapMb };

/**
 * Fills a log of `total` entries on a throw-away embedded PostgreSQL, then
 * exports and verifies it in child processes; fails when the export misses
 * a line or the chain does not verify.
 */
export async function measureAuditExport(
  total: number,
  { log = () => {}, partial: withPartial = true }: { log?: (line: string) => void; /** Also export the first tenth (a time range). Default true. */ partial?: boolean } = {},
): Promise<AuditExportResults> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-audit-bench-'));
  // As root, PostgreSQL runs as the postgres user, who must reach the cluster.
  await chmod(dir, 0o755);
  const postgres = await startEmbeddedPostgres({ dir, ephemeral: true });
  try {
    await postgres.ensureDatabase('audit_bench');
    const url = postgres.url('audit_bench');
    await migrate(url, 'node');
    log(`auditExport: filling a log of ${total.toLocaleString('en')} entries`);
    const fillMs = await fill(url, total, log);
    const sizes = await sizeOf(url);

    const output = join(dir, 'export.jsonl');
    const tenth = Math.ceil(total / 10);
    if (withPartial) log(`auditExport: export of the first ${tenth.toLocaleString('en')}`);
    const partial = !withPartial ? null : await inChild(['export', '--database-url', url, '--to', atOf(tenth + 1).toISOString()], output);
    log(`auditExport: export of ${total.toLocaleString('en')}`);
    const exported = await inChild(['export', '--database-url', url], output);
    const [lines, { size }] = await Promise.all([countLines(output), stat(output)]);
    if (lines !== total) throw new Error(`export wrote ${lines} lines for ${total} entries`);

    // As `npm run hub:audit` runs it: the heap capped far below the export's size, the proof of bounded memory.
    log(`auditExport: export with the heap capped at ${cappedHeapMb} MB`);
    const capped = await inChild(['export', '--database-url', url], output, [`--max-old-space-size=${cappedHeapMb}`]);

    const verdictFile = join(dir, 'verify.txt');
    log(`auditExport: verify of ${total.toLocaleString('en')}`);
    const verified = await inChild(['verify', '--database-url', url], verdictFile);
    const verdict = (await readFile(verdictFile, 'utf8')).split('\n')[0] ?? '';
    if (verified.code !== 0) throw new Error(`verify failed: ${verdict}`);
    log(`auditExport: verify with the heap capped at ${cappedHeapMb} MB`);
    const cappedVerify = await inChild(['verify', '--database-url', url], verdictFile, [`--max-old-space-size=${cappedHeapMb}`]);
    if (cappedVerify.code !== 0) throw new Error('verify with a capped heap failed');
    return { total, fillMs, sizes, partial, full: { ...exported, lines, bytes: size }, capped, verify: { ...verified, verdict }, cappedVerify };
  } finally {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `npm run bench:audit`: the runs one per line, as they were before the suite. */
async function main(total: number): Promise<void> {
  process.stdout.write(`Audit log: ${total.toLocaleString('en')} entries on embedded PostgreSQL, Node ${process.version}, ${cpus().length} CPUs\n`);
  const results = await measureAuditExport(total, { log: (line) => process.stderr.write(`… ${line}\n`) });
  const tenth = Math.ceil(total / 10);
  const lines = [
    `fill (hash in Node, ${insertBatch.toLocaleString('en')} rows per insert): ${seconds(results.fillMs)}, ${perSecond(total, results.fillMs)}; table ${results.sizes}`,
    '',
    describeRun(`export first ${tenth.toLocaleString('en')} → file`, tenth, results.partial!),
    describeRun(`export ${total.toLocaleString('en')} → file`, total, results.full),
    `  ${results.full.lines.toLocaleString('en')} lines, ${mb(results.full.bytes)} written`,
    describeRun(`export, npm run hub:audit (heap ${cappedHeapMb} MB)`, total, results.capped),
    describeRun(`verify ${total.toLocaleString('en')}`, total, results.verify),
    `  ${results.verify.verdict}`,
    describeRun(`verify, npm run hub:audit (heap ${cappedHeapMb} MB)`, total, results.cappedVerify),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function sizeOf(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table: string; indexes: string }>(
      `select pg_size_pretty(pg_table_size('audit.entry')) as table, pg_size_pretty(pg_indexes_size('audit.entry')) as indexes`,
    );
    return `${rows[0]!.table} + indexes ${rows[0]!.indexes}`;
  } finally {
    await client.end();
  }
}

// Run as a file (npm run bench:audit, or as its own child); imported by the suite, it only exports.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv.slice(4));
  else await main(Number(process.argv[2] ?? 1_000_000));
}
