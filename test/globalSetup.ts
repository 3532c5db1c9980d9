import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import { migrateWithApplicationLogin } from '../src/database/applicationLogin.ts';
import type { DatabaseKind } from '../src/database/migrate.ts';
import { startEmbeddedPostgres } from '../src/database/startEmbeddedPostgres.ts';

/** The migrated databases every test database is cloned from: a node's and the hub's (the gateway's). */
export const templateDatabases = { node: 'template_node', hub: 'template_hub' } as const satisfies Record<DatabaseKind, string>;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the test cluster's `postgres` database, as superuser. */
    postgresAdminUrl: string;
    /** Password of the application role (hub_app) on the test cluster. */
    applicationPassword: string;
  }
}

/**
 * One real PostgreSQL for the whole run, with a migrated template database of
 * each kind: each test file clones its own databases from them in milliseconds.
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'hub-test-pg-'));
  const postgres = await startEmbeddedPostgres({ dir, ephemeral: true });
  const applicationPassword = randomBytes(12).toString('hex');
  for (const [kind, template] of Object.entries(templateDatabases) as [DatabaseKind, string][]) {
    await postgres.ensureDatabase(template);
    await migrateWithApplicationLogin(postgres.url(template), applicationPassword, kind);
  }
  project.provide('postgresAdminUrl', postgres.url('postgres'));
  project.provide('applicationPassword', applicationPassword);
  return async () => {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
