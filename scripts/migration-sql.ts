// Prints the SQL of the whole of schema.prisma, to start a new migration from:
//   npm run migration:sql > /tmp/schema.sql   then diff it against migrations/ and
//   write migrations/000N_name.sql by hand with only the change.
// Uses DATABASE_URL when set, else a throw-away embedded PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaSql } from '../src/database/schemaSql.ts';
import { startEmbeddedPostgres } from '../src/database/startEmbeddedPostgres.ts';

if (process.env.DATABASE_URL) {
  process.stdout.write(schemaSql(process.env.DATABASE_URL));
} else {
  const dir = await mkdtemp(join(tmpdir(), 'hub-migration-sql-'));
  const postgres = await startEmbeddedPostgres({ dir, ephemeral: true });
  try {
    process.stdout.write(schemaSql(postgres.url('postgres')));
  } finally {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
