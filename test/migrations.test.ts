import { readdirSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrate, migrationFiles, migrationsDirs, type DatabaseKind } from '../src/database/migrate.ts';
import { schemaSql } from '../src/database/schemaSql.ts';
import { adminQuery, createTestDatabase } from './helpers.ts';

/** The PostgreSQL schemas each kind of database has (prisma/<kind> datasource). */
const schemasOf: Record<DatabaseKind, string[]> = { node: ['node', 'audit'], hub: ['hub', 'audit'] };
/** Every schema either kind could hold: what one kind must not have of the other is checked too. */
const allSchemas = `('node', 'hub', 'audit')`;

/**
 * What a Prisma schema can describe, read from PostgreSQL's catalog: tables,
 * columns with type, nullability and default, indexes, constraints and enum
 * types. Triggers, functions and grants that migrations add beyond Prisma's
 * model are deliberately outside this comparison.
 */
async function catalog(database: string, schemas = allSchemas) {
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
        -- A constraint trigger (contype t) is a trigger: outside the comparison like every other.
        where n.nspname in ${schemas} and c.contype <> 't' order by 1, 2`,
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

const schemasIn = async (database: string) =>
  (await adminQuery<{ nspname: string }>(database, `select nspname from pg_namespace where nspname in ${allSchemas} order by 1`)).map((row) => row.nspname);

describe('the Prisma schemas', () => {
  const path = (file: string) => realpathSync(fileURLToPath(new URL(`../${file}`, import.meta.url)));
  const prismaFiles = (folder: string) => readdirSync(fileURLToPath(new URL(`../${folder}`, import.meta.url))).filter((name) => name.endsWith('.prisma')).sort();

  it('are schema.prisma at the top (the node\u2019s) and prisma/hub, each read as a folder with the one file of audit models', () => {
    // The folders Prisma reads (generate, migration:sql, the drift test above) hold links, not copies.
    // The node's link is not named schema.prisma: with no file left at that path, git sees the schema
    // moved to the top, and a branch that changed prisma/node/schema.prisma merges into it.
    expect(prismaFiles('prisma/node')).toEqual(['audit.prisma', 'node.prisma']);
    expect(path('prisma/node/node.prisma')).toBe(path('schema.prisma'));
    expect(prismaFiles('prisma/hub')).toEqual(['audit.prisma', 'schema.prisma']);
    for (const kind of ['node', 'hub']) expect(path(`prisma/${kind}/audit.prisma`)).toBe(path('prisma/audit.prisma'));
  });
});

describe.each(['node', 'hub'] as const)('%s migrations', (kind) => {
  it(`build exactly the database that prisma/${kind} describes, and no schema of the other kind`, async () => {
    await using migrated = await createTestDatabase(`migrated_${kind}`, null);
    await using fromSchema = await createTestDatabase(`schema_${kind}`, null);
    await migrate(migrated.url, kind);
    const sql = schemaSql(fromSchema.url, kind);
    // Extensions are the migrations' business; Prisma's SQL only uses them.
    await adminQuery(fromSchema.name, 'create extension if not exists pg_trgm');
    await adminQuery(fromSchema.name, sql);
    const [expected, actual] = await Promise.all([catalog(fromSchema.name), catalog(migrated.name)]);
    expect(actual.columns.length).toBeGreaterThan(kind === 'node' ? 50 : 40);
    expect(actual).toEqual(expected);
    expect(await schemasIn(migrated.name)).toEqual([...schemasOf[kind]].sort());
  });

  it('are applied once: a second run applies nothing, and an edited applied file is refused', async () => {
    await using database = await createTestDatabase(`rerun_${kind}`, null);
    const files = await migrationFiles(migrationsDirs[kind]);
    const first = await migrate(database.url, kind);
    expect(first.applied).toEqual(files);
    const second = await migrate(database.url, kind);
    expect(second).toEqual({ applied: [], alreadyApplied: files });
    await adminQuery(database.name, `update hub_migrations.applied set sha256 = 'edited' where name = $1`, [files[0]]);
    await expect(migrate(database.url, kind)).rejects.toThrow(/was changed after it was applied/);
  });

  it('run concurrently from several processes without applying anything twice', async () => {
    await using database = await createTestDatabase(`race_${kind}`, null);
    const results = await Promise.all([migrate(database.url, kind), migrate(database.url, kind), migrate(database.url, kind)]);
    const appliedTotal = results.reduce((sum, result) => sum + result.applied.length, 0);
    expect(appliedTotal).toBe((await migrationFiles(migrationsDirs[kind])).length);
  });

  it("refuse a database built by the other kind's migrations, and change nothing in it", async () => {
    const other = kind === 'node' ? 'hub' : 'node';
    await using database = await createTestDatabase(`crossed_${kind}`, null);
    await migrate(database.url, other);
    const before = await schemasIn(database.name);
    await expect(migrate(database.url, kind)).rejects.toThrow(`this is not a ${kind} database: it was built by the ${other} migrations`);
    expect(await schemasIn(database.name)).toEqual(before);
  });
});

describe('the audit log', () => {
  it('has the same tables in a node database and in the hub database', async () => {
    await using node = await createTestDatabase('audit_node', null);
    await using hub = await createTestDatabase('audit_hub', null);
    await Promise.all([migrate(node.url, 'node'), migrate(hub.url, 'hub')]);
    const [inNode, inHub] = await Promise.all([catalog(node.name, `('audit')`), catalog(hub.name, `('audit')`)]);
    expect(inNode.columns.length).toBeGreaterThan(20);
    expect(inHub).toEqual(inNode);
  });
});
