import type { ChangeJournal } from '../audit/auditCollector.ts';
import type { OperationReleaseInput } from '../consent/consentInput.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { OperationAlertLink, OperationRelease } from '../generated/hub/client.ts';
import type { Officer } from '../identity/officer.ts';
import { ownedId } from '../gateway/globalId.ts';
import { assertLiaison, changeOperation } from './operationRecords.ts';

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

/**
 * A liaison of an owner agency decides the tier its alerts linked to the
 * operation are released at to the operation's other agencies. `apply` makes
 * it so at the owner's node (consent grants for the linked alerts), inside the
 * operation's lock, so the alerts it covers are exactly those linked now; the
 * hub keeps the decision, and nothing of it if the node refuses.
 */
export async function setOperationRelease(
  prisma: HubPrismaClient,
  officer: Officer,
  operationId: string,
  input: OperationReleaseInput,
  journal: ChangeJournal,
  apply: (release: { code: string; alertIds: string[]; granteeAgencies: string[] }) => Promise<unknown>,
): Promise<OperationRelease> {
  return changeOperation(prisma, officer, operationId, journal, async (change) => {
    const { tx, operation, now } = change;
    assertLiaison(change, "release their agency's alerts to it");
    const links = await tx.operationAlertLink.findMany({ where: { operationId, alertAgency: officer.agency }, select: { alertId: true } });
    const granteeAgencies = operation.participatingAgencies.filter((agency) => agency !== officer.agency);
    await apply({ code: operation.code, alertIds: links.map((link) => link.alertId), granteeAgencies });
    const data = { tier: input.tier, expiresAt: input.expiresAt, setBy: officer.sub, setAt: now };
    const release = await tx.operationRelease.upsert({
      where: { operationId_ownerAgency: { operationId, ownerAgency: officer.agency } },
      create: { operationId, ownerAgency: officer.agency, ...data },
      update: data,
    });
    await change.announce('RELEASE_SET', officer.agency);
    return {
      result: release,
      details: { change: 'release set', owner: officer.agency, tier: input.tier, alerts: links.length, grantees: granteeAgencies },
    };
  });
}
