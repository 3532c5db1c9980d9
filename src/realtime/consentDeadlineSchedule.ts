import { serviceJournal } from '../audit/auditCollector.ts';
import { gatewayParty } from '../audit/auditEntry.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { createRecurringJob } from '../database/recurringJob.ts';
import type { NodeClient } from '../gateway/nodeClient.ts';
import { nodeOperations } from '../gateway/nodeOperations.ts';
import { consentDeadlineScope, gatewayServiceSubject } from '../identity/gatewayCredential.ts';
import type { Logger } from '../server/logger.ts';
import type { ServerPart } from '../server/serverPart.ts';

/** The job that makes consent deadlines act, in graphile-worker's queue in the hub database. */
export const consentDeadlineTask = 'consent_deadlines';

/** Options of {@link createConsentDeadlineSchedule}. */
export interface ConsentDeadlineScheduleOptions {
  /** The hub database, as the application role. */
  databaseUrl: string;
  prisma: HubPrismaClient;
  nodes: NodeClient;
  logger: Logger;
  /** Milliseconds between two runs: how late at most an overdue request or an expiring grant is announced. Default 5 minutes. */
  intervalMs?: number;
}

/** What one run found at each node (or why a node could not be asked; it is asked again at the next run). */
export type ConsentDeadlineRun = ({ agency: string; overdue: number; expiring: number } | { agency: string; failed: string })[];

/**
 * One run of the job: asks each node, through the node contract with the
 * gateway's service credential for consent:deadlines, to mark and announce
 * what came due (markConsentDeadlines: the node marks and emits in its own
 * transaction, so each request and grant is announced once however often and
 * wherever this runs); a run that marked anything has its entry in the
 * gateway's log, naming the job and what each node marked.
 */
export async function runConsentDeadlines(prisma: HubPrismaClient, nodes: NodeClient, job: string): Promise<ConsentDeadlineRun> {
  const settled = await Promise.allSettled(
    nodes.agencies.map(async (agency) => {
      const { markConsentDeadlines } = await nodes.serviceRequest<{ markConsentDeadlines: { overdue: number; expiring: number } }>(
        agency,
        nodeOperations.markConsentDeadlines,
        { job },
        { scope: consentDeadlineScope },
      );
      return { agency, ...markConsentDeadlines };
    }),
  );
  const run: ConsentDeadlineRun = settled.map((result, index) =>
    result.status === 'fulfilled' ? result.value : { agency: nodes.agencies[index]!, failed: String(result.reason) },
  );
  if (run.some((node) => 'overdue' in node && node.overdue + node.expiring > 0)) {
    const journal = serviceJournal(gatewayParty, gatewayServiceSubject);
    await prisma.$transaction((tx) => journal(tx, [], { consentDeadlines: { job, nodes: run } }));
  }
  return run;
}

/**
 * Makes the exchange agreement's consent deadlines act
 * (`consentRequests.answerDeadlineHours`, grant expiry with
 * `grantExpiryNoticeHours`) as a recurring job of the hub database: exactly
 * one gateway process runs each run, and a restart does not lose it.
 */
export function createConsentDeadlineSchedule({ databaseUrl, prisma, nodes, logger, intervalMs = 5 * 60_000 }: ConsentDeadlineScheduleOptions): ServerPart {
  return createRecurringJob({
    name: 'consent deadlines',
    task: consentDeadlineTask,
    databaseUrl,
    intervalMs,
    logger,
    async run(job) {
      const run = await runConsentDeadlines(prisma, nodes, `${consentDeadlineTask}:${job.id}`);
      logger.info({ job: job.id, nodes: run }, 'consent deadlines marked');
    },
  });
}
