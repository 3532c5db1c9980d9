import { Logger as WorkerLogger, runMigrations } from 'graphile-worker';
import pg from 'pg';
import { logger as rootLogger, type Logger } from '../server/logger.ts';
import { applicationRole } from './applicationRole.ts';

/** The schema graphile-worker keeps its jobs in, in the hub database. */
export const jobQueueSchema = 'graphile_worker';

/**
 * Installs (or upgrades) graphile-worker's schema in the hub database, as its
 * owner, and lets the application role work the queue: run, add and finish
 * jobs, and nothing more. graphile-worker would otherwise create its schema
 * itself at service start, which `hub_app` cannot (it creates nothing); at
 * start it only checks that the schema is current, and a gateway of a newer
 * graphile-worker than the database fails there until `hub migrate` runs.
 *
 * graphile-worker turns row security on for its private tables (so that no
 * API over the database exposes them) with no policy: only the owner passes.
 * The policies below open them to `hub_app` alone.
 */
export async function installJobQueue(ownerUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 1 });
  // An error of an idle connection would otherwise end the process; the migration's own errors are thrown below.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    await runMigrations({ pgPool: pool, schema: jobQueueSchema, logger: jobQueueLogger(rootLogger) });
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`
        grant usage on schema ${jobQueueSchema} to ${applicationRole};
        grant select, insert, update, delete on all tables in schema ${jobQueueSchema} to ${applicationRole};
        grant usage, select on all sequences in schema ${jobQueueSchema} to ${applicationRole};
        grant execute on all functions in schema ${jobQueueSchema} to ${applicationRole}`);
      const { rows } = await client.query<{ table: string }>(
        `select relname as table from pg_class
          where relnamespace = $1::regnamespace and relkind = 'r' and relrowsecurity`,
        [jobQueueSchema],
      );
      for (const { table } of rows) {
        const name = `${jobQueueSchema}.${client.escapeIdentifier(table)}`;
        await client.query(`drop policy if exists hub_app_jobs on ${name}`);
        await client.query(`create policy hub_app_jobs on ${name} to ${applicationRole} using (true) with check (true)`);
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

/** graphile-worker's log lines as the hub's pino JSON lines; its chatter (a job started, completed) at debug. */
export function jobQueueLogger(logger: Logger): WorkerLogger {
  const child = logger.child({ component: 'job-queue' });
  return new WorkerLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...meta };
    if (level === 'error') child.error(fields, message);
    else if (level === 'warning') child.warn(fields, message);
    else child.debug(fields, message);
  });
}
