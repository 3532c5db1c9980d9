import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseKind } from './migrate.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The SQL that creates everything the Prisma schema of one kind of database
 * (prisma/node or prisma/hub, each with the shared audit models) describes,
 * from an empty database. Prisma 7's migration engine is a native download these machines
 * cannot make, so this drives prisma@6.19 (the `prisma-migrate` dev
 * dependency) in its JS-engine mode, which needs a reachable database even
 * for a diff from empty.
 *
 * Used to write new migrations (`npm run migration:sql`) and by the drift
 * test, which checks that migrations/<kind> builds exactly this schema.
 */
export function schemaSql(databaseUrl: string, kind: DatabaseKind): string {
  const dir = mkdtempSync(join(tmpdir(), 'hub-schema-sql-'));
  try {
    // One file of the folder's files (the shared audit models are a symbolic link there);
    // 6.19 requires the url in the datasource block, 7 refuses it there.
    const folder = join(root, 'prisma', kind);
    const files = readdirSync(folder).filter((name) => name.endsWith('.prisma')).sort();
    const schema = files.map((name) => readFileSync(join(folder, name), 'utf8')).join('\n').replace(
      /datasource db \{/,
      'datasource db {\n  url = env("DATABASE_URL")',
    );
    const schemaPath = join(dir, 'schema.prisma');
    writeFileSync(schemaPath, schema);
    const configPath = join(dir, 'prisma.config.mjs');
    // 6.19's own pg adapter fails on PostgreSQL `name` columns; 7's works.
    writeFileSync(
      configPath,
      `import { PrismaPg } from ${JSON.stringify(join(root, 'node_modules/@prisma/adapter-pg/dist/index.mjs'))};
export default {
  engine: 'js',
  experimental: { adapter: true },
  schema: ${JSON.stringify(schemaPath)},
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
};
`,
    );
    const result = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/prisma-migrate/build/index.js'),
        'migrate',
        'diff',
        '--config',
        configPath,
        '--from-empty',
        '--to-schema-datamodel',
        schemaPath,
        '--script',
      ],
      {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          // Never run in JS-engine mode, but the CLI wants the files to exist.
          PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
          PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
        },
      },
    );
    if (result.status !== 0) throw new Error(`prisma migrate diff failed:\n${result.stderr}\n${result.stdout}`);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
