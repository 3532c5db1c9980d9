import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { writeRunningHub } from '../src/hub/runningHub.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appendAuditEntries } from '../src/audit/appendAuditEntry.ts';
import { createPrismaClient } from '../src/database/createPrismaClient.ts';
import { createTrustList } from '../src/identity/trustList.ts';
import { verifyOfficerToken } from '../src/identity/verifyOfficerToken.ts';
import { adminQuery, createTestDatabase, type TestDatabase } from './helpers.ts';

// The CLI as a scheduler or a shell runs it: a child process whose exit code
// is the only thing a cron job or a CI step looks at.

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function hub(args: string[], env: Record<string, string> = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(tsx, ['src/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout: string; stderr: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('hub CLI exit codes', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('cli');
    const prisma = createPrismaClient({ databaseUrl: database.url });
    try {
      const input = (i: number) => ({
        kind: 'DISCLOSURE' as const,
        actor: { sub: `officer-${i}`, agency: 'MK', unit: 'MK-BP-BLACE', roles: ['officer'] },
        purpose: 'CRIMINAL_INVESTIGATION',
        caseReference: 'XK-MK-2026-0042',
        operation: 'alert',
        documentHash: null,
        variables: { i },
        records: [],
        outcome: 'OK' as const,
        errorCode: null,
        clientAddress: null,
        traceId: null,
        details: null,
      });
      await prisma.$transaction((tx) => appendAuditEntries(tx, 'XK', [1, 2, 3, 4].map(input)));
    } finally {
      await prisma.$disconnect();
    }
  });
  afterAll(() => database?.[Symbol.asyncDispose]());

  it('audit verify exits 0 on an intact log and 1 on a tampered one', async () => {
    const good = await hub(['audit', 'verify', '--database-url', database.url]);
    expect(good.stdout).toContain('OK: 4 entries');
    expect(good.code).toBe(0);

    // A superuser bypassing the append-only triggers rewrites one entry.
    await adminQuery(
      database.name,
      `begin; set local session_replication_role = replica;
       update audit.entry set actor_sub = 'someone-else' where seq = 3; commit`,
    );
    const bad = await hub(['audit', 'verify', '--database-url', database.url]);
    expect(bad.stdout).toContain('FAILED at entry 3');
    expect(bad.code).toBe(1);
  });

  it('unknown commands print the usage and exit 2', async () => {
    const bogus = await hub(['bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stdout + bogus.stderr).toContain('Usage: hub <command>');
    const auditBogus = await hub(['audit', 'bogus']);
    expect(auditBogus.code).toBe(2);
    expect(auditBogus.stderr).toContain('unknown audit command "bogus"');
  });

  it('migrate runs as the owner and lets hub_app log in with APPLICATION_DB_PASSWORD', async () => {
    await using fresh = await createTestDatabase('cli_migrate', null);
    // The cluster's hub_app already has this password (roles are shared): the test changes nothing for the others.
    const run = await hub(['migrate', '--database-url', fresh.url], { APPLICATION_DB_PASSWORD: inject('applicationPassword') });
    expect(run.stdout).toMatch(/^applied: 0001_init\.sql, .*\nhub_app may log in with APPLICATION_DB_PASSWORD\n$/);
    expect(run.code).toBe(0);
    const client = new pg.Client({ connectionString: fresh.applicationUrl });
    await client.connect();
    try {
      expect((await client.query('select current_user::text as role, count(*)::int as entries from audit.entry')).rows).toEqual([{ role: 'hub_app', entries: 0 }]);
    } finally {
      await client.end();
    }
  });

  it('migrate --hub builds the hub database: joint operations and the log, no agency table', async () => {
    await using fresh = await createTestDatabase('cli_migrate_hub', null);
    const run = await hub(['migrate', '--hub', '--database-url', fresh.url], { APPLICATION_DB_PASSWORD: inject('applicationPassword') });
    expect(run.stdout).toMatch(/^applied: 0001_audit\.sql, 0002_joint_operations\.sql/);
    expect(run.code).toBe(0);
    const schemas = await adminQuery<{ nspname: string }>(fresh.name, `select nspname from pg_namespace where nspname in ('node', 'hub', 'audit') order by 1`);
    expect(schemas.map((row) => row.nspname)).toEqual(['audit', 'hub']);
    // A node database is refused, not given the hub's tables.
    await using node = await createTestDatabase('cli_migrate_node');
    const refused = await hub(['migrate', '--hub', '--database-url', node.url]);
    expect(refused.code).toBe(1);
    const untouched = await adminQuery<{ nspname: string }>(node.name, `select nspname from pg_namespace where nspname in ('node', 'hub', 'audit') order by 1`);
    expect(untouched.map((row) => row.nspname)).toEqual(['audit', 'node']);
  });

  it('help exits 0', async () => {
    expect((await hub(['help'])).code).toBe(0);
  });

  it('answers an operator\u2019s mistakes with one actionable line, not a stack trace', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-cli-'));
    try {
      const env = { DATA_DIR: dataDir };
      const noUser = await hub(['token'], env);
      expect(noUser.code).toBe(2);
      expect(noUser.stderr).toMatch(/token needs a demo user \(xk-border-officer, .*\), or --agency, --sub, --unit and --roles/);
      expect(noUser.stderr).not.toMatch(/ at /);
      const badRoles = await hub(['token', '--agency', 'XK', '--sub', 's', '--unit', 'XK-BP-HANI', '--roles', 'wizard'], env);
      expect([badRoles.code, badRoles.stderr.trim().split('\n').at(-1)]).toEqual([2, expect.stringMatching(/--roles: a comma-separated list of officer, /)]);
      for (const command of [['token', '--help'], ['start', '--help'], ['gateway', '-h']]) {
        const help = await hub(command, env);
        expect([command.join(' '), help.code]).toEqual([command.join(' '), 0]);
        expect(help.stdout).toMatch(/^Border Exchange Hub\n\nUsage: hub <command>/);
      }
      const loud = await hub(['keys'], { ...env, LOG_LEVEL: 'loud' });
      expect(loud.code).toBe(2);
      expect(loud.stderr).toMatch(/LOG_LEVEL: "loud" is not a level; use one of trace, debug, info, warn, error, fatal, silent/);
      // A port in use is reported before anything is started or seeded.
      const busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
      try {
        const port = (busy.address() as AddressInfo).port;
        const started = await hub(['start'], { ...env, PORT: String(port) });
        expect(started.code).toBe(2);
        expect(started.stderr).toMatch(new RegExp(`PORT: 127\\.0\\.0\\.1:${port} is already in use`));
        expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
      } finally {
        busy.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('url prints the address of the hub npm start runs in DATA_DIR, and says so when none runs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-cli-'));
    try {
      const none = await hub(['url'], { DATA_DIR: dataDir });
      expect([none.code, none.stderr.trim()]).toEqual([2, `no running hub found in ${dataDir}: start one with npm start (same DATA_DIR)`]);
      // As a running hub leaves it (this test's process stands in for the hub's, so that it counts as running).
      await writeRunningHub(dataDir, { pid: process.pid, gatewayUrl: 'http://127.0.0.1:41234/graphql', trustList: '', parties: {} });
      expect(await hub(['url'], { DATA_DIR: dataDir })).toEqual({ code: 0, stdout: 'http://127.0.0.1:41234/graphql\n', stderr: '' });
      expect((await hub(['url', '--ws'], { DATA_DIR: dataDir })).stdout).toBe('ws://127.0.0.1:41234/graphql\n');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('writes keys for the containers and mints a trial token from them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hub-deploy-'));
    try {
      const keys = await hub(['keys', '--dir', join(dir, 'deploy'), ...(process.getuid?.() === 0 ? ['--uid', '1000'] : [])]);
      expect(keys.code).toBe(0);
      if (process.getuid?.() === 0) expect((await stat(join(dir, 'deploy', 'gateway.private.jwk.json'))).uid).toBe(1000);
      const token = await hub(['token', 'mk-border-officer', '--dir', join(dir, 'deploy')]);
      expect(token.code).toBe(0);
      const trustList = createTrustList(JSON.parse(await readFile(join(dir, 'deploy', 'trust-list.json'), 'utf8')));
      await expect(verifyOfficerToken(token.stdout.trim(), trustList)).resolves.toMatchObject({ agency: 'MK' });
      expect((await hub(['keys', '--dir', join(dir, 'other'), '--uid', 'node'])).code).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
