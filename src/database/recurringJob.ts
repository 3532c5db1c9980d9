import { run, type Runner, type Task } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from '../server/logger.ts';
import type { ServerPart } from '../server/serverPart.ts';
import { jobQueueLogger, jobQueueSchema } from './jobQueue.ts';

/** Options of {@link createRecurringJob}. */
export interface RecurringJobOptions {
  /** Names the part (when it fails to start or stop) and its log lines. */
  name: string;
  /** The graphile-worker task. */
  task: string;
  /** Its job key and queue: one pending run for the whole hub, runs one after the other. Default the task's name. */
  jobKey?: string;
  /** The hub database, as the application role (the queue's schema is installed by `hub migrate`). */
  databaseUrl: string;
  /** Milliseconds between two runs. */
  intervalMs: number;
  logger: Logger;
  /** One run (its job's id, for its log lines); what it throws is logged, and the next run comes at the interval anyway. */
  run(job: { id: string }): Promise<void>;
}

/**
 * Runs a job every `intervalMs`, with graphile-worker in the hub database
 * rather than a timer in one process: the next run is a job, so it survives a
 * restart, and with several gateways on one hub database exactly one of them
 * runs it. Each run first schedules its successor (same key: a gateway
 * starting meanwhile finds it and adds none), then runs. Cron cannot do this:
 * its granularity is a minute, and a schedule of a few hundred milliseconds is
 * what the tests need. A run that fails is logged and not retried.
 */
export function createRecurringJob(options: RecurringJobOptions): ServerPart {
  const { name, task, databaseUrl, intervalMs, logger, jobKey = task } = options;
  const schedule = (runAt: Date) => ({ jobKey, queueName: jobKey, maxAttempts: 1, runAt });
  const job: Task = async (_payload, helpers) => {
    await helpers.addJob(task, {}, { ...schedule(new Date(Date.now() + intervalMs)), jobKeyMode: 'replace' });
    try {
      await options.run({ id: helpers.job.id });
    } catch (error) {
      logger.error({ err: error, job: helpers.job.id }, `${name} failed`);
    }
  };
  let pool: pg.Pool | undefined;
  let runner: Runner | undefined;
  let stopping: Promise<void> | null = null;
  return {
    name,
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
          taskList: { [task]: job },
        });
        // The first run one interval from now, unless one is already due: a restart does not postpone it.
        await runner.addJob(task, {}, { ...schedule(new Date(Date.now() + intervalMs)), jobKeyMode: 'preserve_run_at' });
      } catch (error) {
        throw new Error(`the ${name} cannot start in the hub database (has \`hub migrate\` run?): ${(error as Error).message}`, { cause: error });
      }
    },
    // Lets the running job finish, then stops the runner and closes its connections.
    stop: () =>
      (stopping ??= (async () => {
        await runner?.stop();
        await pool?.end();
      })()),
  };
}
