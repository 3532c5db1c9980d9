import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import { migrateWithApplicationLogin } from '../src/database/applicationLogin.ts';
import { startEmbeddedPostgres } from '../src/database/startEmbeddedPostgres.ts';

/** Name of the migrated database every test database is cloned from. */
export const templateDatabase = 'hub_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the test cluster's `postgres` database, as superuser. */
    postgresAdminUrl: string;
    /** Password of the application role (hub_app) on the test cluster. */
    applicationPassword: string;
  }
}

/**
 * One real PostgreSQL for the whole run, with a migrated template database:
 * each test file clones its own databases from it in milliseconds.
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'hub-test-pg-'));
  const postgres = await startEmbeddedPostgres({ dir, ephemeral: true });
  await postgres.ensureDatabase(templateDatabase);
  const applicationPassword = randomBytes(12).toString('hex');
  await migrateWithApplicationLogin(postgres.url(templateDatabase), applicationPassword);
  project.provide('postgresAdminUrl', postgres.url('postgres'));
  project.provide('applicationPassword', applicationPassword);
  return async () => {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
