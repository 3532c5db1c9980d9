import { jointOperationPurpose } from '../consent/agreement.ts';
import type { DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { Prisma } from '../generated/hub/client.ts';
import type { OperationRole, OperationStatus } from '../generated/hub/enums.ts';
import type { VerifiedMembership } from '../identity/gatewayCredential.ts';
import { hasAnyRole, type Officer } from '../identity/officer.ts';
import { operationalRoles } from '../identity/roles.ts';

/**
 * An officer's membership, now, of one operation: what the gateway vouches
 * for to the nodes (the operation's code as `operation`, the role, whether the
 * operation is still open), and the hub's own ids of it.
 */
export interface OperationMembership extends VerifiedMembership {
  operationId: string;
  memberId: string;
  role: OperationRole;
}

/** Statuses after which an operation's record is final: read-only, its releases ended. */
export const finalStatuses: readonly OperationStatus[] = ['CLOSED', 'CANCELLED'];

type MemberReader = Pick<HubPrismaClient, 'operationMember'> | Prisma.TransactionClient;

/** Members who have access at `now`: not removed, within their period. */
export const activeMemberWhere = (now: Date): Prisma.OperationMemberWhereInput => ({
  removedAt: null,
  validFrom: { lte: now },
  OR: [{ validUntil: null }, { validUntil: { gt: now } }],
});

/** The officer's membership of an operation (by id or by code) at `now`, or null. */
export async function findMembership(
  prisma: MemberReader,
  officer: Pick<Officer, 'sub' | 'agency'>,
  operation: { id: string } | { code: string },
  now = new Date(),
): Promise<OperationMembership | null> {
  const member = await prisma.operationMember.findFirst({
    where: { ...activeMemberWhere(now), officerSub: officer.sub, agency: officer.agency, operation: 'id' in operation ? { id: operation.id } : { code: operation.code } },
    include: { operation: { select: { id: true, code: true, status: true } } },
    orderBy: { addedAt: 'asc' },
  });
  if (!member) return null;
  const { operation: found } = member;
  return { operationId: found.id, operation: found.code, open: !finalStatuses.includes(found.status), memberId: member.id, role: member.role };
}

/**
 * The hub checks membership before anyone acts under the purpose
 * JOINT_OPERATION: its case reference must be the code of an operation the
 * officer is a member of now. A non-member declaring it is refused outright,
 * so declaring an operation's code never gets anyone more than they had
 * without it. The message does not say whether the operation exists.
 */
export async function verifyOperationPurpose(
  prisma: MemberReader,
  officer: Officer,
  purpose: DeclaredPurpose,
  now = new Date(),
): Promise<OperationMembership | null> {
  if (purpose.code !== jointOperationPurpose) return null;
  // Without an operational role nothing operational is served anyway (FORBIDDEN), and nodes get no membership to vouch for.
  if (!hasAnyRole(officer, operationalRoles)) return null;
  const membership = purpose.caseReference ? await findMembership(prisma, officer, { code: purpose.caseReference }, now) : null;
  if (!membership) {
    throw hubError(
      ErrorCode.PURPOSE_NOT_ALLOWED,
      `The purpose ${jointOperationPurpose} is for members of the joint operation its case reference names, and you are not a member of ${purpose.caseReference}.`,
    );
  }
  return membership;
}
