import { run, type Runner, type Task } from 'graphile-worker';
import pg from 'pg';
import { jobQueueLogger, jobQueueSchema } from '../database/jobQueue.ts';
import type { ServerPart } from '../server/serverPart.ts';
import { exchangeCheckpoints, type CheckpointExchangeOptions } from './exchangeCheckpoints.ts';

/** The job that exchanges checkpoints, in graphile-worker's queue in the hub database. */
export const checkpointTask = 'exchange_audit_checkpoints';
/** Its key: one pending exchange for the whole hub, however many gateways share the hub database. */
const checkpointJobKey = 'audit-checkpoints';
/** Its queue: exchanges run one after the other, never two at once. */
const checkpointQueue = 'audit-checkpoints';

/** Options of {@link createCheckpointSchedule}. */
export interface CheckpointScheduleOptions extends CheckpointExchangeOptions {
  /** The hub database, as the application role (the queue's schema is installed by `hub migrate`). */
  databaseUrl: string;
  /** Milliseconds between two exchanges (AUDIT_CHECKPOINT_INTERVAL). */
  intervalMs: number;
}

/**
 * Exchanges checkpoints every `intervalMs`, with graphile-worker in the hub
 * database rather than a timer in one process: the next exchange is a job,
 * so it survives a restart, and with several gateways on one hub database
 * exactly one of them runs it. Each exchange first schedules its successor
 * (same key: a gateway starting meanwhile finds it and adds none), then runs.
 * Cron cannot do this: its granularity is a minute, and a schedule of a few
 * hundred milliseconds is what the tests need. An exchange that fails is
 * logged and not retried: the next one comes at the interval anyway.
 */
export function createCheckpointSchedule(options: CheckpointScheduleOptions): ServerPart {
  const { databaseUrl, intervalMs, logger } = options;
  const schedule = (runAt: Date) => ({ jobKey: checkpointJobKey, queueName: checkpointQueue, maxAttempts: 1, runAt });
  const exchange: Task = async (_payload, helpers) => {
    await helpers.addJob(checkpointTask, {}, { ...schedule(new Date(Date.now() + intervalMs)), jobKeyMode: 'replace' });
    try {
      const round = await exchangeCheckpoints(options);
      logger.info(
        {
          job: helpers.job.id,
          checkpoints: round.checkpoints.map(({ party, seq }) => ({ party, seq })),
          unavailable: round.unavailable.map((error) => error.agency),
          conflicts: round.conflicts.length,
        },
        'audit checkpoints exchanged',
      );
    } catch (error) {
      logger.error({ err: error, job: helpers.job.id }, 'audit checkpoint exchange failed');
    }
  };
  let pool: pg.Pool | undefined;
  let runner: Runner | undefined;
  let stopping: Promise<void> | null = null;
  return {
    name: 'audit checkpoint schedule',
    async start() {
      // A pool of its own: the runner's LISTEN connection and one job at a time.
      pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
      // A connection the server ends (a restart, a shutdown) must not end the process: heard on the pool and on each client.
      const lost = (error: Error) => logger.warn({ err: error }, 'job queue connection lost');
      pool.on('error', lost);
      pool.on('connect', (client) => client.on('error', lost));
      try {
        runner = await run({
          pgPool: pool,
          schema: jobQueueSchema,
          concurrency: 1,
          noHandleSignals: true,
          pollInterval: Math.min(2_000, intervalMs),
          parsedCronItems: [],
          logger: jobQueueLogger(logger),
          taskList: { [checkpointTask]: exchange },
        });
        // The first exchange one interval from now, unless one is already due: a restart does not postpone it.
        await runner.addJob(checkpointTask, {}, { ...schedule(new Date(Date.now() + intervalMs)), jobKeyMode: 'preserve_run_at' });
      } catch (error) {
        throw new Error(`the checkpoint schedule cannot start in the hub database (has \`hub migrate\` run?): ${(error as Error).message}`, { cause: error });
      }
    },
    // Lets the running exchange finish, then stops the runner and closes its connections.
    stop: () =>
      (stopping ??= (async () => {
        await runner?.stop();
        await pool?.end();
      })()),
  };
}
