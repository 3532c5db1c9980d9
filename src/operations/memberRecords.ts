import type { ChangeJournal } from '../audit/auditCollector.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { OperationMember } from '../generated/hub/client.ts';
import type { Officer } from '../identity/officer.ts';
import { activeMemberWhere } from './membership.ts';
import type { OperationMemberInput } from './operationInput.ts';
import { assertLiaison, changeOperation } from './operationRecords.ts';

/** Liaisons add members of their own agency only, for a period (from now unless given). */
export async function addOperationMember(
  prisma: HubPrismaClient,
  officer: Officer,
  operationId: string,
  input: OperationMemberInput,
  journal: ChangeJournal,
): Promise<OperationMember> {
  return changeOperation(prisma, officer, operationId, journal, async (change) => {
    const { tx, operation, now } = change;
    assertLiaison(change, 'add members');
    if (input.agency !== officer.agency) {
      throw hubError(ErrorCode.FORBIDDEN, `A liaison adds members of their own agency (${officer.agency}) only; ${input.agency}'s liaisons add theirs.`);
    }
    const current = await tx.operationMember.findFirst({
      where: { operationId, agency: input.agency, officerSub: input.officerSub, removedAt: null, OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
    });
    if (current) {
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: input.officerSub: ${input.officerSub} is already a member of ${operation.code}.`, {
        issues: [{ path: 'input.officerSub', message: 'is already a member of the operation' }],
      });
    }
    const member = await tx.operationMember.create({
      data: {
        operationId,
        officerSub: input.officerSub,
        agency: input.agency,
        unitCode: input.unitCode,
        role: input.role,
        validFrom: input.validFrom ?? now,
        validUntil: input.validUntil ?? null,
        addedBy: officer.sub,
        addedAt: now,
      },
    });
    await change.announce('MEMBER_ADDED', member.id);
    return { result: member, details: { change: 'member added', member: member.id, officer: member.officerSub, agency: member.agency, role: member.role } };
  });
}

/**
 * Liaisons remove members of their own agency only; the member loses access
 * on their very next request. Also once the operation is closed or cancelled,
 * when members still read its record: so that an agency can end that too.
 */
export async function removeOperationMember(
  prisma: HubPrismaClient,
  officer: Officer,
  operationId: string,
  memberId: string,
  journal: ChangeJournal,
): Promise<OperationMember> {
  return changeOperation(prisma, officer, operationId, journal, async (change) => {
    const { tx, operation, now } = change;
    assertLiaison(change, 'remove members');
    const member = await tx.operationMember.findFirst({ where: { id: memberId, operationId, removedAt: null } });
    if (!member) throw hubError(ErrorCode.NOT_FOUND, `No current member of ${operation.code} with this id.`);
    if (member.agency !== officer.agency) {
      throw hubError(ErrorCode.FORBIDDEN, `A liaison removes members of their own agency (${officer.agency}) only.`);
    }
    const liaisonsLeft = await tx.operationMember.count({
      where: { ...activeMemberWhere(now), operationId, agency: member.agency, role: 'LIAISON', id: { not: member.id } },
    });
    if (member.role === 'LIAISON' && liaisonsLeft === 0) {
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: id: ${member.officerSub} is the last liaison of ${member.agency} in ${operation.code}.`, {
        issues: [{ path: 'id', message: 'is the last liaison of the agency in the operation' }],
      });
    }
    const removed = await tx.operationMember.update({ where: { id: member.id }, data: { removedAt: now, removedBy: officer.sub } });
    await change.announce('MEMBER_REMOVED', removed.id);
    return { result: removed, details: { change: 'member removed', member: removed.id, officer: removed.officerSub, agency: removed.agency } };
  }, { final: 'allowed' });
}
