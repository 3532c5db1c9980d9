// Prints the SQL of a whole Prisma schema, to start a new migration from:
//   npm run migration:sql -- node > /tmp/schema.sql   (or hub) then diff it against
//   migrations/node/ (migrations/hub/) and write the next 000N_name.sql there by hand
//   with only the change.
// Uses DATABASE_URL when set, else a throw-away embedded PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseKind } from '../src/database/migrate.ts';
import { schemaSql } from '../src/database/schemaSql.ts';
import { startEmbeddedPostgres } from '../src/database/startEmbeddedPostgres.ts';

const kind = process.argv[2] as DatabaseKind | undefined;
if (kind !== 'node' && kind !== 'hub') {
  process.stderr.write('usage: npm run migration:sql -- node|hub\n');
  process.exit(2);
}
if (process.env.DATABASE_URL) {
  process.stdout.write(schemaSql(process.env.DATABASE_URL, kind));
} else {
  const dir = await mkdtemp(join(tmpdir(), 'hub-migration-sql-'));
  const postgres = await startEmbeddedPostgres({ dir, ephemeral: true });
  try {
    process.stdout.write(schemaSql(postgres.url('postgres'), kind));
  } finally {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
