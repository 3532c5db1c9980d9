import type { ChangeJournal } from '../audit/auditCollector.ts';
import type { AuditRecordRef, JsonValue } from '../audit/auditEntry.ts';
import { decodeCursor, encodeCursor } from '../domain/cursor.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { JointOperation, OperationStatus, OperationUpdateKind, Prisma } from '../generated/hub/client.ts';
import { hasAnyRole, type Officer } from '../identity/officer.ts';
import { hubOwner } from '../gateway/globalId.ts';
import { activeMemberWhere, finalStatuses, findMembership, type OperationMembership } from './membership.ts';
import { announceUpdates } from './operationUpdateStream.ts';
import type { CreateJointOperationInput, JointOperationFilter, OperationStatusChangeInput } from './operationInput.ts';

/** The operation as its audit entries name it: owned by the hub, referenced by its code. */
export const operationRecord = (operation: Pick<JointOperation, 'id' | 'code'>): AuditRecordRef => ({
  type: 'JOINT_OPERATION',
  // Released to its members, in full: membership is the basis.
  tier: 'FULL',
  basis: 'MEMBERSHIP',
  agency: hubOwner,
  id: operation.id,
  reference: operation.code,
});

/** Which status may follow which: PLANNED → ACTIVE → CLOSED, or CANCELLED from PLANNED or ACTIVE. */
const nextStatuses: Record<OperationStatus, readonly OperationStatus[]> = {
  PLANNED: ['ACTIVE', 'CANCELLED'],
  ACTIVE: ['CLOSED', 'CANCELLED'],
  CLOSED: [],
  CANCELLED: [],
};

/** A change in progress to one operation, under its row lock, by a member whose membership was read under that lock. */
export interface OperationChange {
  tx: Prisma.TransactionClient;
  operation: JointOperation;
  membership: OperationMembership;
  now: Date;
  /** Adds the change to the operation's updates, and to the hub's feed for its members' subscriptions, in commit order. */
  announce(kind: OperationUpdateKind, subjectId: string): Promise<void>;
}

/** Refuses a change to a closed or cancelled operation: its record is final. */
export function assertOpen(operation: Pick<JointOperation, 'code' | 'status'>, what = 'its record is final'): void {
  if (finalStatuses.includes(operation.status)) {
    throw hubError(ErrorCode.INVALID_TRANSITION, `Joint operation ${operation.code} is ${operation.status}: ${what}.`, { status: operation.status });
  }
}

/**
 * Runs one change to an operation in one transaction: locks the operation's
 * row (so that changes, and the numbers of their updates, follow one another),
 * reads the caller's membership again under the lock (a member removed a
 * moment ago changes nothing), refuses any change to a closed or cancelled
 * operation unless the change itself is one that ends access (`final:
 * 'allowed'`: it checks what it allows), and writes the change's audit entry
 * last, in the same transaction. A refusal or a failure at any point rolls
 * back all of it, the update feed included; so nothing may be done inside it
 * that a rollback cannot undo (a call to a node: see releaseToOperation.ts).
 */
export async function changeOperation<T>(
  prisma: HubPrismaClient,
  officer: Officer,
  operationId: string,
  journal: ChangeJournal,
  change: (context: OperationChange) => Promise<{ result: T; details: JsonValue }>,
  { final = 'refused' }: { final?: 'refused' | 'allowed' } = {},
): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`select id from hub.joint_operation where id = ${operationId}::uuid for update`;
    const operation = await tx.jointOperation.findUnique({ where: { id: operationId } });
    const now = new Date();
    const membership = operation ? await findMembership(tx, officer, { id: operationId }, now) : null;
    if (!operation || !membership) throw hubError(ErrorCode.NOT_FOUND, 'No joint operation with this id.');
    if (final === 'refused') assertOpen(operation);
    let seq = operation.lastUpdateSeq;
    const announce = async (kind: OperationUpdateKind, subjectId: string) => {
      seq += 1;
      await tx.operationUpdate.create({ data: { operationId, seq, kind, subjectId, at: now } });
    };
    const { result, details } = await change({ tx, operation, membership, now, announce });
    if (seq !== operation.lastUpdateSeq) {
      await tx.jointOperation.update({ where: { id: operationId }, data: { lastUpdateSeq: seq } });
      // Last before the entry: the hub's feed is locked only for the commit.
      await announceUpdates(tx, operation, operation.lastUpdateSeq + 1, seq, now);
    }
    await journal(tx, [operationRecord(operation)], details);
    return result;
  });
}

/** Refuses a step that only the operation's liaisons take. */
export function assertLiaison(change: Pick<OperationChange, 'membership' | 'operation'>, what: string): void {
  if (change.membership.role !== 'LIAISON') {
    throw hubError(ErrorCode.FORBIDDEN, `Only liaisons of joint operation ${change.operation.code} may ${what}.`);
  }
}

/**
 * A liaison of a participating agency plans an operation and is its first
 * member, as LIAISON of their agency, with the liaison each other agency
 * named for it: from then on, each agency's liaisons add and remove its
 * members only.
 */
export async function createJointOperation(
  prisma: HubPrismaClient,
  officer: Officer,
  input: CreateJointOperationInput,
  knownAgencies: readonly string[],
  journal: ChangeJournal,
): Promise<JointOperation> {
  if (!hasAnyRole(officer, ['liaison'])) throw hubError(ErrorCode.FORBIDDEN, 'Only liaison officers plan joint operations.');
  const unknown = input.participatingAgencies.filter((agency) => !knownAgencies.includes(agency));
  if (unknown.length) {
    throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: input.participatingAgencies: ${unknown.join(', ')} are not agencies of the exchange.`, {
      issues: [{ path: 'input.participatingAgencies', message: `${unknown.join(', ')} are not agencies of the exchange` }],
    });
  }
  if (!input.participatingAgencies.includes(officer.agency) || input.partnerLiaisons.some((liaison) => liaison.agency === officer.agency)) {
    throw hubError(ErrorCode.FORBIDDEN, 'A liaison plans joint operations of their own agency, and names the liaison of each other agency.');
  }
  return prisma.$transaction(async (tx) => {
    if (await tx.jointOperation.findUnique({ where: { code: input.code }, select: { id: true } })) {
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: input.code: ${input.code} is the code of another joint operation.`, {
        issues: [{ path: 'input.code', message: 'is the code of another joint operation' }],
      });
    }
    const now = new Date();
    const operation = await tx.jointOperation.create({
      data: {
        code: input.code,
        codeName: input.codeName,
        objective: input.objective,
        legalBasis: input.legalBasis,
        leadAgency: input.leadAgency,
        participatingAgencies: input.participatingAgencies,
        borderCrossings: input.area.borderCrossings,
        greenBorderSectors: input.area.greenBorderSectors,
        municipalities: input.area.municipalities,
        plannedStart: input.plannedStart,
        plannedEnd: input.plannedEnd,
        createdBy: officer.sub,
        createdAt: now,
        lastUpdateSeq: 1 + input.partnerLiaisons.length,
      },
    });
    await tx.operationTransition.create({
      data: { operationId: operation.id, toStatus: 'PLANNED', actorSub: officer.sub, actorAgency: officer.agency, actorUnit: officer.unit, at: now },
    });
    const liaisons = [{ officerSub: officer.sub, agency: officer.agency, unitCode: officer.unit }, ...input.partnerLiaisons];
    for (const [index, liaison] of liaisons.entries()) {
      const member = await tx.operationMember.create({
        data: { operationId: operation.id, ...liaison, role: 'LIAISON', validFrom: now, addedBy: officer.sub, addedAt: now },
      });
      await tx.operationUpdate.create({ data: { operationId: operation.id, seq: index + 1, kind: 'MEMBER_ADDED', subjectId: member.id, at: now } });
    }
    await announceUpdates(tx, operation, 1, liaisons.length, now);
    await journal(tx, [operationRecord(operation)], { change: 'joint operation planned', code: operation.code });
    return operation;
  });
}

/** A liaison moves the operation on; who and when are recorded, the actual period follows. */
export async function changeOperationStatus(
  prisma: HubPrismaClient,
  officer: Officer,
  operationId: string,
  input: OperationStatusChangeInput,
  journal: ChangeJournal,
): Promise<JointOperation> {
  return changeOperation(prisma, officer, operationId, journal, async (change) => {
    const { tx, operation, now } = change;
    assertLiaison(change, 'change its status');
    if (!nextStatuses[operation.status].includes(input.status)) {
      throw hubError(ErrorCode.INVALID_TRANSITION, `Joint operation ${operation.code} is ${operation.status} and cannot become ${input.status}.`, {
        status: operation.status,
        allowed: [...nextStatuses[operation.status]],
      });
    }
    const transition = await tx.operationTransition.create({
      data: {
        operationId,
        fromStatus: operation.status,
        toStatus: input.status,
        actorSub: officer.sub,
        actorAgency: officer.agency,
        actorUnit: officer.unit,
        at: now,
        reason: input.reason ?? null,
      },
    });
    const updated = await tx.jointOperation.update({
      where: { id: operationId },
      data: {
        status: input.status,
        ...(input.status === 'ACTIVE' ? { actualStart: now } : {}),
        ...(input.status !== 'ACTIVE' && operation.actualStart ? { actualEnd: now } : {}),
      },
    });
    await change.announce('STATUS_CHANGED', transition.id);
    // Closing or cancelling ends every release of the operation: each owner's node ends its own on hearing it.
    const ended = finalStatuses.includes(input.status)
      ? await tx.operationRelease.updateManyAndReturn({ where: { operationId, endedAt: null }, data: { endedAt: now } })
      : [];
    for (const release of ended) await change.announce('RELEASE_SET', release.ownerAgency);
    return {
      result: updated,
      details: { change: `joint operation ${input.status.toLowerCase()}`, from: operation.status, to: input.status, releasesEnded: ended.map((release) => release.ownerAgency) },
    };
  });
}

/** The operations the officer is a member of now, with the filters, newest planned first. */
export async function listJointOperations(
  prisma: HubPrismaClient,
  officer: Officer,
  filter: JointOperationFilter,
  page: { first: number; after: string | null },
  now = new Date(),
) {
  const base: Prisma.JointOperationWhereInput = {
    AND: [
      { members: { some: { ...activeMemberWhere(now), officerSub: officer.sub, agency: officer.agency } } },
      filter?.statuses?.length ? { status: { in: filter.statuses } } : {},
      filter?.agency ? { participatingAgencies: { has: filter.agency } } : {},
      // An operation is in a period when its planned or actual period overlaps it.
      filter?.from ? { OR: [{ plannedEnd: { gte: filter.from } }, { actualEnd: { gte: filter.from } }, { status: 'ACTIVE' }] } : {},
      filter?.to ? { OR: [{ plannedStart: { lte: filter.to } }, { actualStart: { lte: filter.to } }] } : {},
      filter?.borderCrossing ? { borderCrossings: { has: filter.borderCrossing } } : {},
      filter?.greenBorderSector ? { greenBorderSectors: { has: filter.greenBorderSector } } : {},
      filter?.municipality ? { municipalities: { has: filter.municipality } } : {},
    ],
  };
  const after = page.after ? decodeCursor(page.after) : undefined;
  const where = after ? { AND: [base, { OR: [{ plannedStart: { lt: after.at } }, { plannedStart: after.at, id: { lt: after.id } }] }] } : base;
  const [rows, totalCount] = await Promise.all([
    prisma.jointOperation.findMany({ where, orderBy: [{ plannedStart: 'desc' }, { id: 'desc' }], take: page.first + 1 }),
    prisma.jointOperation.count({ where: base }),
  ]);
  const pageRows = rows.slice(0, page.first);
  return {
    rows: pageRows,
    cursors: pageRows.map((row) => encodeCursor({ at: row.plannedStart, id: row.id })),
    hasNextPage: rows.length > page.first,
    totalCount,
  };
}
