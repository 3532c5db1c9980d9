import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { migrate, migrationsDir } from '../src/database/migrate.ts';
import { schemaSql } from '../src/database/schemaSql.ts';
import { adminQuery, createTestDatabase } from './helpers.ts';

/**
 * What schema.prisma can describe, read from PostgreSQL's catalog: tables,
 * columns with type, nullability and default, indexes, constraints and enum
 * types. Triggers, functions and grants that migrations add beyond Prisma's
 * model are deliberately outside this comparison.
 */
async function catalog(database: string) {
  const schemas = `('node', 'audit', 'hub')`;
  const [columns, indexes, constraints, enums] = await Promise.all([
    adminQuery(
      database,
      `select table_schema, table_name, column_name, data_type, udt_name, is_nullable, column_default,
              character_maximum_length, numeric_precision, numeric_scale
         from information_schema.columns where table_schema in ${schemas}
        order by table_schema, table_name, column_name`,
    ),
    adminQuery(database, `select schemaname, tablename, indexname, indexdef from pg_indexes where schemaname in ${schemas} order by 1, 2, 3`),
    adminQuery(
      database,
      `select n.nspname, c.conname, c.contype, pg_get_constraintdef(c.oid) as definition
         from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where n.nspname in ${schemas} order by 1, 2`,
    ),
    adminQuery(
      database,
      `select n.nspname, t.typname, array_agg(e.enumlabel order by e.enumsortorder) as labels
         from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
        where n.nspname in ${schemas} group by 1, 2 order by 1, 2`,
    ),
  ]);
  return { columns, indexes, constraints, enums };
}

describe('migrations', () => {
  it('build exactly the database that schema.prisma describes', async () => {
    await using migrated = await createTestDatabase('migrated', null);
    await using fromSchema = await createTestDatabase('schema', null);
    await migrate(migrated.url);
    const sql = schemaSql(fromSchema.url);
    // Extensions are the migrations' business; Prisma's SQL only uses them.
    await adminQuery(fromSchema.name, 'create extension if not exists pg_trgm');
    await adminQuery(fromSchema.name, sql);
    const [expected, actual] = await Promise.all([catalog(fromSchema.name), catalog(migrated.name)]);
    expect(actual.columns.length).toBeGreaterThan(50);
    expect(actual).toEqual(expected);
  });

  it('are applied once: a second run applies nothing, and an edited applied file is refused', async () => {
    await using database = await createTestDatabase('rerun', null);
    const files = (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql'));
    const first = await migrate(database.url);
    expect(first.applied).toEqual(files.sort());
    const second = await migrate(database.url);
    expect(second).toEqual({ applied: [], alreadyApplied: files.sort() });
    await adminQuery(database.name, `update hub_migrations.applied set sha256 = 'edited' where name = $1`, [files[0]]);
    await expect(migrate(database.url)).rejects.toThrow(/was changed after it was applied/);
  });

  it('run concurrently from several processes without applying anything twice', async () => {
    await using database = await createTestDatabase('race', null);
    const results = await Promise.all([migrate(database.url), migrate(database.url), migrate(database.url)]);
    const appliedTotal = results.reduce((sum, result) => sum + result.applied.length, 0);
    const files = (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql'));
    expect(appliedTotal).toBe(files.length);
  });
});
