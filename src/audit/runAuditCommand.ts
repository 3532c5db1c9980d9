import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { JSONWebKeySet } from 'jose';
import pg from 'pg';
import { readCheckpoint, type CheckpointReference } from './checkpoints.ts';
import { readPeerEvidence } from './peerVerification.ts';
import { exportAuditEntries } from './exportAuditEntries.ts';
import { verifyAuditChain } from './verifyAuditChain.ts';
import { purgeClearVariables, retentionFloorMessage } from './purgeClearVariables.ts';
import { agreement } from '../consent/agreement.ts';
import { createPrismaClient } from '../database/createPrismaClient.ts';
import type { WitnessReference } from './auditWitness.ts';
import { readRunningHub } from '../hub/runningHub.ts';

/** Where the command writes, and the environment it reads DATABASE_URL from. */
export interface AuditCommandIO {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

export const auditUsage = `Usage:
  hub audit verify --database-url URL [--peer-database-url URL ...] [--party XK] [--jwks FILE]
      walks the party's log and its checkpoints (own, and the copies each peer database keeps),
      and checks every head of it that a peer's log witnessed;
      prints "OK: N entries, head H" (exit 0) or "FAILED at entry N: why" (exit 1).
      --jwks: the party's public keys (JWKS file); every checkpoint's signature is then checked.
  hub audit verify --party XK | --all [--data-dir DIR]
      the same for one party (XK, MK, GATEWAY) or every party of the hub \`npm start\` runs from
      DIR (default DATA_DIR or .data), each against the others' copies, signatures checked.
  hub audit export --database-url URL [--from ISO-TIME] [--to ISO-TIME]
      the entries with from <= at < to as JSON Lines on stdout, in sequence order.
  hub audit purge --database-url URL [--party XK] [--retention-days N]
  hub audit purge --party XK | --all [--data-dir DIR] [--retention-days N]
      erases the clear variables of the entries older than the agreement's audit.clearRetentionDays
      (or N days, N at least that) and records the erasure as an ERASURE entry; the chain still verifies.
  --database-url defaults to DATABASE_URL. verify and export only read.
`;

class UsageError extends Error {}

const defaultIO = (): AuditCommandIO => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/**
 * `hub audit verify|export …` (argv without "audit"). Resolves with the exit
 * code: 0 done and, for verify, the log is intact; 1 the log is not; 2 a
 * usage error. Database errors reject. The caller sets process.exitCode
 * rather than exiting, so that stdout is flushed.
 */
export async function runAuditCommand(argv: string[], io: AuditCommandIO = defaultIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'verify') return await verifyCommand(rest, io);
    if (command === 'export') return await exportCommand(rest, io);
    if (command === 'purge') return await purgeCommand(rest, io);
    if (command !== undefined && command !== 'help' && command !== '--help') io.stderr.write(`unknown audit command "${command}"\n`);
  } catch (error) {
    // parseArgs reports unknown or malformed options with a TypeError of code ERR_PARSE_ARGS_*.
    if (!(error instanceof UsageError) && !String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw error;
    io.stderr.write(`${(error as Error).message}\n`);
  }
  io.stderr.write(auditUsage);
  return 2;
}

async function verifyCommand(args: string[], io: AuditCommandIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'database-url': { type: 'string' },
      'peer-database-url': { type: 'string', multiple: true },
      party: { type: 'string' },
      all: { type: 'boolean' },
      'data-dir': { type: 'string' },
      jwks: { type: 'string' },
    },
  });
  if (values['database-url'] === undefined && io.env.DATABASE_URL === undefined && (values.party !== undefined || values.all)) {
    return verifyRunningHub(values.all ? null : values.party!, values['data-dir'] ?? io.env.DATA_DIR ?? '.data', io);
  }
  const publicKeys = values.jwks === undefined ? undefined : await readJwks(values.jwks);
  return verifyParty(databaseUrl(values['database-url'], io), values['peer-database-url'] ?? [], values.party, publicKeys, io, '');
}

/**
 * Every party of the hub `npm start` runs from a data folder (or one of
 * them), each log checked against the copies the others keep of its
 * checkpoints, with the checkpoint keys of the hub's trust list.
 */
async function verifyRunningHub(only: string | null, dataDir: string, io: AuditCommandIO): Promise<number> {
  const hub = await readRunningHub(dataDir);
  if (!hub) throw new UsageError(`no running hub found in ${dataDir} (start one with npm start, or give --database-url)`);
  const parties = Object.keys(hub.parties);
  if (only !== null && !Object.hasOwn(hub.parties, only)) throw new UsageError(`--party: ${only} is not a party of the running hub (${parties.join(', ')})`);
  const trust = JSON.parse(await readFile(hub.trustList, 'utf8')) as { parties?: { party: string; jwks: JSONWebKeySet }[] };
  let code = 0;
  for (const party of only === null ? parties : [only]) {
    const peers = parties.filter((other) => other !== party).map((other) => hub.parties[other]!);
    const keys = trust.parties?.find((entry) => entry.party === party)?.jwks;
    code = Math.max(code, await verifyParty(hub.parties[party]!, peers, party, keys, io, `${party}: `));
  }
  return code;
}

async function verifyParty(url: string, peerUrls: readonly string[], givenParty: string | undefined, publicKeys: JSONWebKeySet | undefined, io: AuditCommandIO, prefix: string): Promise<number> {
  return withDatabase(url, async (client) => {
    const party = givenParty ?? (await partyOfLog(client));
    if (party === undefined && peerUrls.length > 0) throw new UsageError('the log names no party (it is empty): give it with --party');
    const peerCheckpoints: CheckpointReference[] = [];
    const witnesses: WitnessReference[] = [];
    for (const url of peerUrls) {
      await withDatabase(url, async (peer) => {
        const held = await readPeerEvidence(peer, party!, `copy kept in ${databaseLabel(url)}`);
        peerCheckpoints.push(...held.checkpoints);
        witnesses.push(...held.witnesses);
      });
    }
    const result = await verifyAuditChain(client, { peerCheckpoints, witnesses, ...(publicKeys ? { publicKeys } : {}) });
    if (!result.ok) {
      io.stdout.write(`${prefix}FAILED at entry ${result.firstBadSeq}: ${result.reason}\n`);
      return 1;
    }
    io.stdout.write(`${prefix}OK: ${result.count} entries, head ${result.headHash}\n`);
    io.stdout.write(`${prefix}${result.checkpoints} checkpoints match (${peerCheckpoints.length} of them peer copies)${publicKeys ? ', signatures verified' : ''}\n`);
    if (peerUrls.length > 0) io.stdout.write(`${prefix}${result.witnesses} heads witnessed by the peers match\n`);
    return 0;
  });
}

async function purgeCommand(args: string[], io: AuditCommandIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'database-url': { type: 'string' },
      party: { type: 'string' },
      all: { type: 'boolean' },
      'data-dir': { type: 'string' },
      'retention-days': { type: 'string' },
    },
  });
  const days = values['retention-days'];
  if (days !== undefined && (!/^\d{1,5}$/.test(days) || Number(days) < agreement.audit.clearRetentionDays)) throw new UsageError(`--retention-days: ${retentionFloorMessage(days)}`);
  const retention = days === undefined ? {} : { retentionDays: Number(days) };
  let targets: { url: string; party: string | undefined; prefix: string }[];
  if (values['database-url'] === undefined && io.env.DATABASE_URL === undefined && (values.party !== undefined || values.all)) {
    const dataDir = values['data-dir'] ?? io.env.DATA_DIR ?? '.data';
    const hub = await readRunningHub(dataDir);
    if (!hub) throw new UsageError(`no running hub found in ${dataDir} (start one with npm start, or give --database-url)`);
    const parties = values.all ? Object.keys(hub.parties) : [values.party!];
    for (const party of parties) {
      if (!Object.hasOwn(hub.parties, party)) throw new UsageError(`--party: ${party} is not a party of the running hub`);
    }
    targets = parties.map((party) => ({ url: hub.parties[party]!, party, prefix: `${party}: ` }));
  } else {
    targets = [{ url: databaseUrl(values['database-url'], io), party: values.party, prefix: '' }];
  }
  for (const { url, party: given, prefix } of targets) {
    const party = given ?? (await withDatabase(url, partyOfLog));
    if (party === undefined) {
      io.stdout.write(`${prefix}nothing to erase: the log is empty\n`);
      continue;
    }
    const prisma = createPrismaClient({ databaseUrl: url, maxConnections: 1 });
    try {
      const result = await purgeClearVariables(prisma, party, retention);
      io.stdout.write(
        result.entry
          ? `${prefix}erased the clear variables of ${result.erased} entries (${result.fromSeq} to ${result.toSeq}, before ${result.before.toISOString()}); recorded as entry ${result.entry.seq}\n`
          : `${prefix}nothing to erase before ${result.before.toISOString()}\n`,
      );
    } finally {
      await prisma.$disconnect();
    }
  }
  return 0;
}

async function exportCommand(args: string[], io: AuditCommandIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'database-url': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  });
  const from = parseTime(values.from, '--from');
  const to = parseTime(values.to, '--to');
  const { count } = await withDatabase(databaseUrl(values['database-url'], io), (client) =>
    exportAuditEntries(client, io.stdout, { ...(from ? { from } : {}), ...(to ? { to } : {}) }),
  );
  io.stderr.write(`exported ${count} entries\n`);
  return 0;
}

/** A read-only session: an audit tool must not be able to change what it checks. */
async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'hub audit', options: '-c default_transaction_read_only=on' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Whose log it is: the party of its first entry, else of its own checkpoints. */
async function partyOfLog(client: pg.Client): Promise<string | undefined> {
  const entry = await client.query<{ party: string }>('select party from audit.entry order by seq limit 1');
  if (entry.rows[0]) return entry.rows[0].party;
  const checkpoint = await client.query<{ jws: string }>('select jws from audit.checkpoint order by seq desc limit 1');
  return checkpoint.rows[0] ? readCheckpoint(checkpoint.rows[0].jws).party : undefined;
}

function databaseUrl(option: string | undefined, io: AuditCommandIO): string {
  const url = option ?? io.env.DATABASE_URL;
  if (!url) throw new UsageError('--database-url (or DATABASE_URL) is required');
  return url;
}

/** Host and database of a connection string, without its credentials. */
function databaseLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'a peer database';
  }
}

function parseTime(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new UsageError(`${option}: not a time (ISO 8601, e.g. 2026-01-31T00:00:00Z): ${value}`);
  return time;
}

async function readJwks(file: string): Promise<JSONWebKeySet> {
  const jwks = JSON.parse(await readFile(file, 'utf8')) as JSONWebKeySet;
  if (!Array.isArray(jwks?.keys)) throw new UsageError(`${file} is not a JWKS ({"keys": [...]})`);
  return jwks;
}
