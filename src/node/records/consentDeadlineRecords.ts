import type { ChangeJournal } from '../../audit/auditCollector.ts';
import type { ExchangeAgreement } from '../../consent/agreement.ts';
import type { PrismaClient } from '../../generated/node/client.ts';
import { consentEvent } from '../../realtime/consentEvents.ts';
import { appendEvents, type OutboxEvent } from '../../realtime/eventOutbox.ts';

const hour = 3600 * 1000;

/** What one run of the deadline job marked at a node. */
export interface ConsentDeadlineMarks {
  /** Requests still unanswered past their deadline, marked overdue now. */
  overdue: number;
  /** Grants that end within the agreement's notice, announced now. */
  expiring: number;
}

interface MarkedRequest {
  id: string;
  alert_id: string;
  requesting_agency: string;
  requesting_unit: string;
}

/**
 * Marks, in one transaction with its events and its audit entry, the
 * consent requests left unanswered past their deadline (overdue_at) and the
 * grants given on a request that end within the agreement's
 * `consentRequests.grantExpiryNoticeHours` (expiry_announced_at), and
 * announces each once: an overdue request to the owner's officers who decide
 * consent and to the unit that asked, an expiring grant to that unit. The
 * marks make it once: a row already marked is not taken again, and two runs
 * at the same moment (two gateway processes) are ordered by the rows' locks,
 * the second finding them marked. `job` names the run in the entry.
 */
export async function markConsentDeadlines(
  prisma: PrismaClient,
  owner: string,
  job: string,
  journal: ChangeJournal,
  agreement: ExchangeAgreement,
  now = new Date(),
): Promise<ConsentDeadlineMarks> {
  const notice = new Date(now.getTime() + agreement.consentRequests.grantExpiryNoticeHours * hour);
  return prisma.$transaction(async (tx) => {
    const overdue = await tx.$queryRaw<MarkedRequest[]>`
      update node.consent_request set overdue_at = ${now}
       where status = 'PENDING' and due_at <= ${now} and overdue_at is null
      returning id, alert_id, requesting_agency, requesting_unit`;
    const expiring = await tx.$queryRaw<(MarkedRequest & { grant_id: string })[]>`
      update node.consent_grant g set expiry_announced_at = ${now}
        from node.consent_request r
       where r.id = g.request_id and g.revoked_at is null and g.expiry_announced_at is null
         and g.expires_at > ${now} and g.expires_at <= ${notice}
      returning g.id as grant_id, r.id, r.alert_id, r.requesting_agency, r.requesting_unit`;
    if (overdue.length === 0 && expiring.length === 0) return { overdue: 0, expiring: 0 };
    const ref = (row: MarkedRequest) => ({ id: row.id, alertId: row.alert_id, requestingAgency: row.requesting_agency, requestingUnit: row.requesting_unit });
    const events: OutboxEvent[] = [
      ...overdue.flatMap((row) => [consentEvent('CONSENT_OVERDUE', ref(row), 'OWNER', owner), consentEvent('CONSENT_OVERDUE', ref(row), 'REQUESTER', owner)]),
      ...expiring.map((row) => consentEvent('CONSENT_GRANT_EXPIRING', ref(row), 'REQUESTER', owner, row.grant_id)),
    ];
    const seqs = await appendEvents(tx, events, now);
    await journal(
      tx,
      [...overdue.map((row) => ({ agency: owner, id: row.alert_id })), ...expiring.map((row) => ({ agency: owner, id: row.alert_id, grantId: row.grant_id }))],
      { consentDeadlines: { job, overdueRequests: overdue.map((row) => row.id), expiringGrants: expiring.map((row) => row.grant_id) }, events: seqs },
    );
    return { overdue: overdue.length, expiring: expiring.length };
  });
}
