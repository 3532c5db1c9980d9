import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pg from 'pg';
import { installJobQueue } from './jobQueue.ts';

/**
 * Which database a set of migrations builds: an agency node's (its records and
 * its audit log) or the hub's, behind the gateway (joint operations and the
 * consultation log). Each has its own folder, and neither carries the other's tables.
 */
export type DatabaseKind = 'node' | 'hub';

/** Folder of the numbered SQL migrations of each kind of database, shipped with the code. */
export const migrationsDirs: Record<DatabaseKind, string> = {
  node: fileURLToPath(new URL('../../migrations/node/', import.meta.url)),
  hub: fileURLToPath(new URL('../../migrations/hub/', import.meta.url)),
};

const migrationFile = /^\d{4}_[a-z0-9_]+\.sql$/;

/** The migration files of a folder, in the order they are applied. */
export async function migrationFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => migrationFile.test(name)).sort();
}

// Any constant works; it only has to be the same for every process that migrates.
const advisoryLockKey = 7_350_221_004;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Applies the numbered SQL files of `migrations/<kind>/` that the database
 * has not seen yet, each in its own transaction, under an advisory lock so
 * that several processes starting together migrate once. An applied file
 * whose content changed afterwards is an error, not something to re-run, and
 * so is a database built by the other kind's migrations.
 */
export async function migrate(databaseUrl: string, kind: DatabaseKind): Promise<MigrationResult> {
  const files = await migrationFiles(migrationsDirs[kind]);
  const dir = migrationsDirs[kind];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [advisoryLockKey]);
    await client.query(`create schema if not exists hub_migrations`);
    await client.query(`
      create table if not exists hub_migrations.applied (
        name text primary key,
        sha256 text not null,
        applied_at timestamptz not null default now()
      )`);
    const { rows } = await client.query<{ name: string; sha256: string }>('select name, sha256 from hub_migrations.applied');
    const known = new Map(rows.map((row) => [row.name, row.sha256]));
    // Checked before anything is applied: a node database must not get the hub's tables, nor the reverse.
    const unknown = [...known.keys()].filter((name) => !files.includes(name));
    if (unknown.length) {
      const other: DatabaseKind = kind === 'node' ? 'hub' : 'node';
      const otherFiles = await migrationFiles(migrationsDirs[other]);
      throw new Error(
        unknown.every((name) => otherFiles.includes(name))
          ? `this is not a ${kind} database: it was built by the ${other} migrations (${unknown.join(', ')})`
          : `database has migration ${unknown[0]}, which this code does not know: is the code older than the database?`,
      );
    }
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const name of files) {
      const sql = await readFile(join(dir, name), 'utf8');
      const sha256 = createHash('sha256').update(sql).digest('hex');
      const previous = known.get(name);
      if (previous !== undefined) {
        if (previous !== sha256) {
          throw new Error(`migration ${name} was changed after it was applied; add a new migration instead`);
        }
        result.alreadyApplied.push(name);
        continue;
      }
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into hub_migrations.applied (name, sha256) values ($1, $2)', [name, sha256]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`);
      }
      result.applied.push(name);
    }
    // The checkpoint schedule's job queue: graphile-worker's own migrations, with its own bookkeeping.
    if (kind === 'hub') await installJobQueue(databaseUrl);
    return result;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [advisoryLockKey]).catch(() => {});
    await client.end();
  }
}
