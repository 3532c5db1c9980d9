import { jointOperationPurpose } from '../../consent/agreement.ts';
import type { OperationReleaseInput } from '../../consent/consentInput.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import type { ChangeJournal } from '../../audit/auditCollector.ts';
import type { ConsentGrantView } from '../../domain/alertView.ts';
import { isUuid } from '../../domain/ids.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { PrismaClient } from '../../generated/node/client.ts';
import type { VerifiedMembership } from '../../identity/gatewayCredential.ts';
import type { Officer } from '../../identity/officer.ts';
import { toGrantView } from './consentRequestRecords.ts';
import { inUnitOfWork } from './unitOfWork.ts';
import { announceAlertShared, sharingSnapshot } from '../../realtime/alertSharedEvents.ts';

/** What the owner releases, and to whom: its alerts linked to the operation, for the operation's other agencies. */
export interface JointOperationRelease extends OperationReleaseInput {
  alertIds: string[];
  granteeAgencies: string[];
}

/**
 * The owner's decision on the tier its alerts linked to a joint operation are
 * released at to the operation's other agencies, as consent grants under the
 * purpose JOINT_OPERATION with the operation's code as case reference (so
 * decideAccess gives them to no other purpose or case). It replaces the
 * previous release of those alerts at once: their live grants for the
 * operation are revoked, then new ones made (none for NONE). Only a liaison
 * of the owner, whose membership of the operation as LIAISON the gateway
 * vouched for, decides it.
 */
export async function setJointOperationRelease(
  prisma: PrismaClient,
  caller: Officer,
  owner: string,
  purpose: DeclaredPurpose,
  membership: VerifiedMembership | null,
  release: JointOperationRelease,
  now = new Date(),
  journal: ChangeJournal,
): Promise<ConsentGrantView[]> {
  const code = purpose.caseReference;
  if (caller.agency !== owner || purpose.code !== jointOperationPurpose || !code || membership?.operation !== code || membership.role !== 'LIAISON') {
    throw hubError(ErrorCode.FORBIDDEN, `Only a liaison of ${owner} in the joint operation, working under ${jointOperationPurpose} with its code, releases ${owner}'s records to it.`);
  }
  const grantees = [...new Set(release.granteeAgencies)];
  if (grantees.includes(owner) || grantees.some((agency) => !/^[A-Z]{2}$/.test(agency))) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: input.granteeAgencies must name partner agencies, not the owner.', {
      issues: [{ path: 'input.granteeAgencies', message: 'must name partner agencies' }],
    });
  }
  const alertIds = [...new Set(release.alertIds)];
  return inUnitOfWork(prisma, journal, async (unit) => {
    const { tx } = unit;
    const alerts = alertIds.every(isUuid) ? await tx.alert.findMany({ where: { id: { in: alertIds } }, select: { id: true, reference: true } }) : [];
    if (alerts.length !== alertIds.length) throw hubError(ErrorCode.NOT_FOUND, `Not every alert is a record of ${owner}.`);
    // What the grantees saw before: the release may let the operation's members see the records higher (alertShared).
    const before = await sharingSnapshot(tx, owner, alertIds, grantees);
    await tx.consentGrant.updateMany({
      where: { alertId: { in: alertIds }, granteeAgency: { in: grantees }, purpose: jointOperationPurpose, caseReference: code, revokedAt: null },
      data: { revokedAt: now, revokedBy: caller.sub, revocationReason: `Replaced by ${owner}'s release at ${release.tier} to joint operation ${code}.` },
    });
    const grants =
      release.tier === 'NONE'
        ? []
        : await tx.consentGrant.createManyAndReturn({
            data: alerts.flatMap((alert) =>
              grantees.map((granteeAgency) => ({
                alertId: alert.id,
                granteeAgency,
                tier: release.tier,
                purpose: jointOperationPurpose,
                caseReference: code,
                expiresAt: release.expiresAt,
                grantedBy: caller.sub,
              })),
            ),
          });
    await announceAlertShared(unit, before, 'JOINT_OPERATION_RELEASE', now);
    await unit.journal(
      alerts.map((alert) => ({ agency: owner, id: alert.id, reference: alert.reference, tier: release.tier })),
      { change: 'joint operation release', operation: code, tier: release.tier, grantees, grants: grants.map((grant) => grant.id) },
    );
    return grants.map((grant) => toGrantView(grant, owner));
  });
}
