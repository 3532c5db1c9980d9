import { createRecurringJob } from '../database/recurringJob.ts';
import type { ServerPart } from '../server/serverPart.ts';
import { exchangeCheckpoints, type CheckpointExchangeOptions } from './exchangeCheckpoints.ts';
import { checkAuditChains, type AuditChainCheckOptions } from './checkAuditChains.ts';

/** The job that exchanges checkpoints, in graphile-worker's queue in the hub database. */
export const checkpointTask = 'exchange_audit_checkpoints';

/** Options of {@link createCheckpointSchedule}. */
export interface CheckpointScheduleOptions extends CheckpointExchangeOptions, AuditChainCheckOptions {
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
 * After each exchange (done or failed), the same job checks every party's log
 * against what the others hold of it (checkAuditChains.ts), so that the copies
 * just exchanged count, and keeps the result for the auditors' console.
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
      try {
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
      } catch (error) {
        logger.error({ err: error, job: job.id }, 'audit checkpoint exchange failed');
      }
      const checks = await checkAuditChains(options);
      for (const check of checks.filter((one) => one.status !== 'VERIFIED')) {
        logger.error({ check, job: job.id }, `audit chain of ${check.party} ${check.status}${check.firstBadSeq === null ? '' : ` at entry ${check.firstBadSeq}`}: ${check.reason}`);
      }
    },
  });
}
