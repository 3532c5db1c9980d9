import { Writable } from 'node:stream';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { appendAuditEntries, appendAuditEntry } from '../src/audit/appendAuditEntry.ts';
import { gatewayParty } from '../src/audit/auditEntry.ts';
import { purgeClearVariables } from '../src/audit/purgeClearVariables.ts';
import { runAuditCommand } from '../src/audit/runAuditCommand.ts';
import { agreement } from '../src/consent/agreement.ts';
import { createPrismaClient } from '../src/database/createPrismaClient.ts';
import { appendInput } from './auditAppendInput.ts';
import { templateDatabases } from './globalSetup.ts';
import { createTestDatabase, verifyChainOf } from './helpers.ts';

// The clear part of an entry (ids, filters, justifications) is erased once the
// agreement's retention has passed, never before: the database's erasure
// function refuses a later cut-off whoever calls it, `hub audit purge` refuses
// a shorter retention, and `audit verify` fails on an erasure that reached
// into the retention, or that no ERASURE entry records.

const retention = agreement.audit.clearRetentionDays;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

/** A party's log whose first entries are older than the retention: 5 of them, then 3 younger (30 and 1 days old). */
async function logWithHistory(kind: 'node' | 'hub') {
  const database = await createTestDatabase(`erasure_${kind}`, templateDatabases[kind]);
  const party = kind === 'node' ? 'XK' : gatewayParty;
  const prisma = createPrismaClient({ databaseUrl: database.applicationUrl });
  const batches: [number, number][] = [[retention + 30, 3], [retention + 10, 2], [30, 2], [1, 1]];
  for (const [age, count] of batches) {
    const inputs = Array.from({ length: count }, (_, n) => appendInput(`${age}-${n}`));
    await prisma.$transaction((tx) => appendAuditEntries(tx, party, inputs, daysAgo(age)));
  }
  return {
    database,
    party,
    prisma,
    async [Symbol.asyncDispose]() {
      await prisma.$disconnect();
      await database[Symbol.asyncDispose]();
    },
  };
}

async function audit(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write: (chunk, _encoding, done) => ((out += String(chunk)), done()) });
  const code = await runAuditCommand(argv, { stdout: sink, stderr: sink, env: {} });
  return { code, out };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Runs SQL and answers 'accepted' or the SQLSTATE it was refused with. */
const refused = (url: string, sql: string) =>
  query(url, sql).then(
    () => 'accepted',
    (error: pg.DatabaseError) => error.code,
  );

const erasedCount = async (url: string) => Number((await query<{ n: string }>(url, `select count(*) as n from audit.entry where variables is null and kind <> 'ERASURE'`))[0]!.n);

describe('erasure of the clear part after the retention', () => {
  it.each(['node', 'hub'] as const)('erases what is due in a %s database, keeps the chain verifiable, and records itself', async (kind) => {
    await using log = await logWithHistory(kind);
    // As the application role: it may erase only through audit.erase_clear_variables.
    const first = await audit(['purge', '--database-url', log.database.applicationUrl, '--party', log.party]);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/^erased the clear variables of 5 entries \(1 to 5, before .*\); recorded as entry 9\n$/);
    expect(await verifyChainOf(log.database.url)).toMatchObject({ ok: true, count: 9 });
    const [erasure] = await query<{ details: { erasure: Record<string, unknown> } }>(log.database.url, `select details from audit.entry where kind = 'ERASURE'`);
    expect(erasure!.details.erasure).toMatchObject({ fromSeq: 1, toSeq: 5, count: 5, retentionDays: retention });
    // Idempotent: nothing more is due, nothing is written.
    expect((await audit(['purge', '--database-url', log.database.applicationUrl, '--party', log.party])).out).toMatch(/^nothing to erase before/);
    expect(await erasedCount(log.database.url)).toBe(5);
  });

  it('refuses a cut-off within the retention: in the database function, whoever calls it, and in the command', async () => {
    await using log = await logWithHistory('node');
    const { applicationUrl, url } = log.database;
    // Into the retention by an hour, by a day, or all of it: refused, nothing erased.
    for (const cutoff of [`now() - interval '${retention} days' + interval '1 hour'`, `now() - interval '1 day'`, 'now()', `'infinity'::timestamptz`, 'null']) {
      expect(await refused(applicationUrl, `select * from audit.erase_clear_variables(${cutoff})`), cutoff).toBe('22023');
      expect(await refused(url, `select * from audit.erase_clear_variables(${cutoff})`), `${cutoff} as the owner`).toBe('22023');
    }
    expect(await erasedCount(url)).toBe(0);
    for (const days of ['0', String(retention - 1)]) {
      const { code, out } = await audit(['purge', '--database-url', applicationUrl, '--party', 'XK', '--retention-days', days]);
      expect(code).toBe(2);
      expect(out).toContain(`at least the agreement's audit.clearRetentionDays (${retention} days)`);
    }
    await expect(purgeClearVariables(log.prisma, 'XK', { retentionDays: 0 })).rejects.toThrow(RangeError);
    expect(await erasedCount(url)).toBe(0);
    // The agreement's retention itself, or a longer one, is taken.
    expect(await refused(applicationUrl, `select * from audit.erase_clear_variables(now() - interval '${retention} days')`)).toBe('accepted');
    expect((await audit(['purge', '--database-url', applicationUrl, '--party', 'XK', '--retention-days', String(retention + 20)])).code).toBe(0);
  });

  it('lets the erasure switch through only inside the erasure function: set on its own, it changes nothing', async () => {
    await using log = await logWithHistory('node');
    const { applicationUrl, url } = log.database;
    // hub_app has no UPDATE or DELETE on the log at all.
    expect(await refused(applicationUrl, 'update audit.entry set variables = null where seq = 1')).toBe('42501');
    expect(await refused(applicationUrl, 'delete from audit.entry where seq = 1')).toBe('42501');
    // The owner is stopped by the triggers: any update outside the function, even one matching no row.
    expect(await refused(url, 'update audit.entry set variables = null where seq = 1')).toBe('42501');
    expect(await refused(url, `update audit.entry set actor_sub = 'someone' where seq = -1`)).toBe('42501');
    expect(await refused(url, 'delete from audit.entry where seq = 1')).toBe('42501');
    // The session switch the statement trigger reads, set by hand: the rows are refused all the same, even
    // the one change the function makes (an old entry's clear variables set to null).
    for (const change of ['variables = null', `actor_sub = 'someone'`, `variables = '{"x": 1}'`, 'digests = null', `variables = null, purpose = 'AUDIT'`]) {
      expect(await refused(url, `select set_config('hub.audit_erasure', 'on', false); update audit.entry set ${change} where seq = 1`), change).toBe('42501');
    }
    expect(await erasedCount(url)).toBe(0);
    expect(await verifyChainOf(url)).toMatchObject({ ok: true });
  });

  it('fails verification on an erasure that no ERASURE entry records', async () => {
    await using log = await logWithHistory('node');
    // The function called on its own (as the application role may): the erasure is in no entry.
    await query(log.database.applicationUrl, `select * from audit.erase_clear_variables(now() - interval '${retention} days')`);
    expect(await verifyChainOf(log.database.url)).toEqual({
      ok: false,
      firstBadSeq: 1,
      reason: 'the clear variables of entry 1 were erased, and no erasure entry after it records that',
    });
  });

  it('fails verification on an erasure that reached entries younger than the retention when it was made', async () => {
    await using log = await logWithHistory('node');
    // What the function refuses, done by someone who got past it (triggers off): entries 1 to 7 erased, 6 and 7 only
    // 30 days old, and an ERASURE entry that claims the range, as purge would write it.
    const client = new pg.Client({ connectionString: log.database.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query("set local session_replication_role = 'replica'");
      await client.query('update audit.entry set variables = null where seq <= 7');
      await client.query('commit');
    } finally {
      await client.end();
    }
    await log.prisma.$transaction((tx) =>
      appendAuditEntry(tx, 'XK', {
        ...appendInput('erasure', 'ERASURE'),
        actor: null,
        variables: null,
        details: { erasure: { fromSeq: 1, toSeq: 7, count: 7, before: daysAgo(0).toISOString(), retentionDays: 0, by: 'hub audit purge' } },
      }),
    );
    const result = await verifyChainOf(log.database.url);
    expect(result).toMatchObject({ ok: false, firstBadSeq: 6 });
    expect(result.ok ? '' : result.reason).toMatch(new RegExp(`^entry 9 erased the clear variables of entry 6, dated .*, within the retention of ${retention} days`));
  });
});
