import type { ChangeJournal } from '../audit/auditCollector.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { OperationAlertLink } from '../generated/hub/client.ts';
import type { Officer } from '../identity/officer.ts';
import { ownedId } from '../gateway/globalId.ts';
import { changeOperation } from './operationRecords.ts';

/**
 * A member links an alert of a participating agency, one they can see, to the
 * operation. The link is a pointer: the alert stays with its owner, and every
 * reader gets it at the tier the owner's consent gives them.
 */
export async function linkOperationAlert(
  prisma: HubPrismaClient,
  officer: Officer,
  operationId: string,
  alert: { agency: string; id: string },
  journal: ChangeJournal,
): Promise<OperationAlertLink> {
  return changeOperation(prisma, officer, operationId, journal, async (change) => {
    const { tx, operation, now } = change;
    if (!operation.participatingAgencies.includes(alert.agency)) {
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: alertId is an alert of ${alert.agency}, which does not take part in ${operation.code}.`, {
        issues: [{ path: 'alertId', message: 'is an alert of an agency that does not take part in the operation' }],
      });
    }
    const key = { operationId, alertAgency: alert.agency, alertId: alert.id };
    if (await tx.operationAlertLink.findUnique({ where: { operationId_alertAgency_alertId: key } })) {
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: alertId is already linked to ${operation.code}.`, {
        issues: [{ path: 'alertId', message: 'is already linked to the operation' }],
      });
    }
    const link = await tx.operationAlertLink.create({ data: { ...key, linkedBy: officer.sub, linkedByAgency: officer.agency, linkedAt: now } });
    await change.announce('ALERT_LINKED', ownedId(alert.agency, alert.id));
    return {
      result: link,
      details: { change: 'alert linked', alert: { agency: alert.agency, id: alert.id } },
    };
  });
}
