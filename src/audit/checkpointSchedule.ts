import { createRecurringJob } from '../database/recurringJob.ts';
import type { ServerPart } from '../server/serverPart.ts';
import { exchangeCheckpoints, type CheckpointExchangeOptions } from './exchangeCheckpoints.ts';

/** The job that exchanges checkpoints, in graphile-worker's queue in the hub database. */
export const checkpointTask = 'exchange_audit_checkpoints';

/** Options of {@link createCheckpointSchedule}. */
export interface CheckpointScheduleOptions extends CheckpointExchangeOptions {
  /** The hub database, as the application role (the queue's schema is installed by `hub migrate`). */
  databaseUrl: string;
  /** Milliseconds between two exchanges (AUDIT_CHECKPOINT_INTERVAL). */
  intervalMs: number;
}

/**
 * Exchanges checkpoints every `intervalMs`, as a recurring job of the hub
 * database (see recurringJob.ts): with several gateways on one hub database
 * exactly one of them runs each exchange. An exchange that fails is logged
 * and not retried: the next one comes at the interval anyway.
 */
export function createCheckpointSchedule(options: CheckpointScheduleOptions): ServerPart {
  const { logger } = options;
  return createRecurringJob({
    name: 'audit checkpoint schedule',
    task: checkpointTask,
    jobKey: 'audit-checkpoints',
    databaseUrl: options.databaseUrl,
    intervalMs: options.intervalMs,
    logger,
    async run(job) {
      const round = await exchangeCheckpoints(options);
      logger.info(
        {
          job: job.id,
          checkpoints: round.checkpoints.map(({ party, seq }) => ({ party, seq })),
          unavailable: round.unavailable.map((error) => error.agency),
          conflicts: round.conflicts.length,
        },
        'audit checkpoints exchanged',
      );
    },
  });
}
