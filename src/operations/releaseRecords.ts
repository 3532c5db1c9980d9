import type { ChangeJournal } from '../audit/auditCollector.ts';
import type { JsonValue } from '../audit/auditEntry.ts';
import { consentDeciders, mayDecideConsent, type ExchangeAgreement } from '../consent/agreement.ts';
import type { Tier } from '../consent/tier.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { OperationRelease } from '../generated/hub/client.ts';
import type { Officer } from '../identity/officer.ts';
import { finalStatuses, findMembership } from './membership.ts';
import { assertOpen, changeOperation } from './operationRecords.ts';

/** A release of an owner's linked alerts about to be sent to its node: the decision's number and what it covers. */
export interface ReleasePlan {
  code: string;
  /** The hub's number of the decision: one more than the release the hub holds for the owner. */
  revision: number;
  /** The owner's alerts linked to the operation now. */
  alertIds: string[];
  /** The operation's other agencies. */
  granteeAgencies: string[];
}

/** An owner's release as its node answered with it. */
export interface HeldRelease {
  revision: number;
  tier: Tier;
  expiresAt: Date;
  setBy: string;
  setAt: Date;
}

/**
 * What a release by the officer's agency would cover now. Read without a
 * lock and without writing anything: nothing of the operation is held while
 * the owner's node is asked (releaseToOperation.ts). Refused here, before any
 * node is asked: a non-member, an officer whose roles do not decide consent
 * (the agreement's `decidesConsent`, as at the node), and anything but NONE
 * on a closed or cancelled operation.
 */
export async function planOperationRelease(
  prisma: HubPrismaClient,
  officer: Officer,
  operationId: string,
  tier: Tier,
  agreement: ExchangeAgreement,
): Promise<ReleasePlan> {
  const [operation, membership] = await Promise.all([
    prisma.jointOperation.findUnique({ where: { id: operationId } }),
    findMembership(prisma, officer, { id: operationId }),
  ]);
  if (!operation || !membership) throw hubError(ErrorCode.NOT_FOUND, 'No joint operation with this id.');
  if (!mayDecideConsent(officer.roles, agreement)) {
    throw hubError(
      ErrorCode.FORBIDDEN,
      `Only officers of ${officer.agency} whose roles decide consent (${consentDeciders(agreement).join(', ')}) release its alerts to a joint operation.`,
    );
  }
  if (tier !== 'NONE') assertOpen(operation, 'its releases have ended, and only NONE may be set');
  const [links, held] = await Promise.all([
    prisma.operationAlertLink.findMany({ where: { operationId, alertAgency: officer.agency }, select: { alertId: true }, orderBy: { alertId: 'asc' } }),
    prisma.operationRelease.findUnique({ where: { operationId_ownerAgency: { operationId, ownerAgency: officer.agency } }, select: { revision: true } }),
  ]);
  return {
    code: operation.code,
    revision: (held?.revision ?? 0) + 1,
    alertIds: links.map((link) => link.alertId),
    granteeAgencies: operation.participatingAgencies.filter((agency) => agency !== officer.agency),
  };
}

/**
 * Records the release the officer's agency's node answered with, when it is
 * newer than the one the hub holds (a later answer, or one already recorded,
 * changes nothing): the hub shows of a release only what the owner's node
 * confirmed. `how` says in the entry whether it is the officer's own decision
 * or one the node held that the hub had not recorded (reconciled).
 */
export async function recordOperationRelease(
  prisma: HubPrismaClient,
  officer: Officer,
  operationId: string,
  held: HeldRelease,
  journal: ChangeJournal,
  how: 'set' | 'reconciled' = 'set',
): Promise<OperationRelease> {
  const key = { operationId_ownerAgency: { operationId, ownerAgency: officer.agency } };
  const recorded = await prisma.operationRelease.findUnique({ where: key });
  if (recorded && recorded.revision >= held.revision) return recorded;
  return changeOperation(
    prisma,
    officer,
    operationId,
    journal,
    async ({ tx, operation, now, announce }): Promise<{ result: OperationRelease; details: JsonValue }> => {
      const current = await tx.operationRelease.findUnique({ where: key });
      if (current && current.revision >= held.revision) {
        return { result: current, details: { change: 'none', owner: officer.agency, revision: held.revision, recorded: current.revision } };
      }
      // A release recorded once the operation is final is ended as it is recorded.
      const endedAt = current?.endedAt ?? (finalStatuses.includes(operation.status) ? now : null);
      const data = { tier: held.tier, expiresAt: held.expiresAt, setBy: held.setBy, setAt: held.setAt, revision: held.revision, endedAt };
      const release = await tx.operationRelease.upsert({ where: key, create: { operationId, ownerAgency: officer.agency, ...data }, update: data });
      await announce('RELEASE_SET', officer.agency);
      return {
        result: release,
        details: { change: how === 'set' ? 'release set' : 'release reconciled with the owner node', owner: officer.agency, tier: held.tier, revision: held.revision },
      };
    },
    { final: 'allowed' },
  );
}
