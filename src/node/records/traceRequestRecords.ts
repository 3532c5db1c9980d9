import type { Prisma, PrismaClient } from '../../generated/node/client.ts';
import type { TraceRequestView } from '../../domain/alertView.ts';
import type { AdvanceTraceRequestInput, SubmitTraceRequestInput } from '../../domain/alertInput.ts';
import { TraceRequestStatus } from '../../domain/enums.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { Officer } from '../../identity/officer.ts';
import type { ChangeJournal } from '../../audit/auditCollector.ts';
import { traceRequestRecordRef } from '../../audit/recordRefs.ts';
import { isUuid } from '../../domain/ids.ts';
import { consentFacts, consentRelations, firearmView } from './alertRelease.ts';
import { decodeCursor, encodeCursor } from '../../domain/cursor.ts';
import { lockRow } from './lockRow.ts';
import { tierOfTraceRequestField, type ExchangeAgreement } from '../../consent/agreement.ts';
import { decideAccess, decideTraceRequestTier } from '../../consent/decideAccess.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { tierRank } from '../../consent/tier.ts';
import { nextReference } from './references.ts';
import { inUnitOfWork } from './unitOfWork.ts';

/** A trace request with its firearm, its steps, and what consent is decided on for the caller's agency of the record it names. */
function traceInclude(callerAgency: string, owner: string) {
  return {
    alert: { select: { reference: true, createdAt: true, handlingCode: true, ...consentRelations(callerAgency, owner) } },
    firearm: true,
    transitions: { orderBy: { at: 'asc' } },
  } satisfies Prisma.TraceRequestInclude;
}

type TraceRow = Prisma.TraceRequestGetPayload<{ include: ReturnType<typeof traceInclude> }>;

/** Who reads a trace request, and for what: the tier it is released at depends on both. */
export interface TraceAccess {
  caller: Officer;
  purpose: DeclaredPurpose;
  /** The agreement the node enforces. */
  agreement: ExchangeAgreement;
}

/**
 * A trace request as released to the caller: the fields of the tier
 * decideTraceRequestTier gives, the others null; null when it gives nothing.
 * The firearm and question are the requester's disclosure to the addressed
 * agency (submitting is its consent, the agreement's traceRequests); the
 * record they come from is named (alertId, alertReference) only while that
 * record exists for the caller, as alert(id) would show it.
 */
export function releaseTraceRequest(row: TraceRow, owner: string, access: TraceAccess, now = new Date()): TraceRequestView | null {
  const tier = decideTraceRequestTier(access.caller, access.purpose, { requestingAgency: owner, addressedTo: row.addressedTo }, access.agreement);
  if (tier === 'NONE') return null;
  const named = decideAccess(access.caller, access.purpose, consentFacts(row.alert, owner, access.caller.agency), now, access.agreement).tier !== 'NONE';
  const view: Record<string, unknown> = { ...fullTraceRequestView(row, owner), tier, ...(named ? {} : { alertId: null, alertReference: null }) };
  for (const field of Object.keys(view)) {
    const fieldTier = tierOfTraceRequestField(field, access.agreement);
    // A field the agreement names at no tier never leaves for a partner.
    if (fieldTier ? tierRank(fieldTier) > tierRank(tier) : tier !== 'FULL') view[field] = null;
  }
  return view as unknown as TraceRequestView;
}

function fullTraceRequestView(row: TraceRow, owner: string): Omit<TraceRequestView, 'tier'> {
  return {
    id: row.id,
    reference: row.reference,
    requestingAgency: owner,
    addressedTo: row.addressedTo,
    alertId: row.alertId,
    alertReference: row.alert.reference,
    firearm: firearmView(row.firearm),
    question: row.question,
    answer: row.answer,
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    transitions: row.transitions.map(({ fromStatus, toStatus, actorAgency, actorSub, note, at }) => ({
      fromStatus,
      toStatus,
      actorAgency,
      actorSub,
      note,
      at,
    })),
  };
}

/**
 * Who may move a trace request where. The addressed agency works the request
 * (acknowledge, start, answer); the requesting agency closes it, either after
 * the answer or to withdraw it.
 */
const transitions: Record<TraceRequestStatus, Partial<Record<TraceRequestStatus, 'addressed' | 'requester'>>> = {
  SUBMITTED: { ACKNOWLEDGED: 'addressed', ANSWERED: 'addressed', CLOSED: 'requester' },
  ACKNOWLEDGED: { IN_PROGRESS: 'addressed', ANSWERED: 'addressed', CLOSED: 'requester' },
  IN_PROGRESS: { ANSWERED: 'addressed', CLOSED: 'requester' },
  ANSWERED: { CLOSED: 'requester', IN_PROGRESS: 'addressed' },
  CLOSED: {},
};

/** Trace requests this node holds that the caller may see: those decideTraceRequestTier releases at HIT or above. */
function traceRequestsVisibleTo({ caller, purpose, agreement }: TraceAccess, owner: string): Prisma.TraceRequestWhereInput {
  const addressedToCaller = { requestingAgency: owner, addressedTo: caller.agency };
  if (decideTraceRequestTier(caller, purpose, addressedToCaller, agreement) === 'NONE') return { id: { in: [] } };
  return caller.agency === owner ? {} : { addressedTo: caller.agency };
}

export interface TraceRequestFilter {
  statuses?: TraceRequestStatus[] | null;
  addressedTo?: string | null;
}

export async function listTraceRequests(
  prisma: PrismaClient,
  access: TraceAccess,
  owner: string,
  filter: TraceRequestFilter | null | undefined,
  page: { first: number; after?: string | null },
) {
  const base: Prisma.TraceRequestWhereInput = {
    AND: [
      traceRequestsVisibleTo(access, owner),
      filter?.statuses?.length ? { status: { in: filter.statuses } } : {},
      filter?.addressedTo ? { addressedTo: filter.addressedTo } : {},
    ],
  };
  const after = page.after ? decodeCursor(page.after) : undefined;
  const where = after
    ? { AND: [base, { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] }] }
    : base;
  const [rows, totalCount] = await Promise.all([
    prisma.traceRequest.findMany({
      where,
      include: traceInclude(access.caller.agency, owner),
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: page.first + 1,
    }),
    prisma.traceRequest.count({ where: base }),
  ]);
  const pageRows = rows.slice(0, page.first);
  return {
    views: pageRows.map((row) => releaseTraceRequest(row, owner, access)!),
    cursors: pageRows.map((row) => encodeCursor({ at: row.createdAt, id: row.id })),
    hasNextPage: rows.length > page.first,
    totalCount,
  };
}



export async function findTraceRequest(prisma: PrismaClient, access: TraceAccess, owner: string, id: string) {
  if (!isUuid(id)) return null;
  const row = await prisma.traceRequest.findFirst({ where: { AND: [{ id }, traceRequestsVisibleTo(access, owner)] }, include: traceInclude(access.caller.agency, owner) });
  return row ? releaseTraceRequest(row, owner, access) : null;
}

export async function submitTraceRequest(
  prisma: PrismaClient,
  access: TraceAccess,
  owner: string,
  input: SubmitTraceRequestInput,
  journal: ChangeJournal,
) {
  const officer = access.caller;
  if (input.addressedTo === owner) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: input.addressedTo must be a partner agency, not your own.', {
      issues: [{ path: 'input.addressedTo', message: 'must be a partner agency, not your own' }],
    });
  }
  return inUnitOfWork(prisma, journal, async (unit) => {
    const { tx } = unit;
    const partner = await tx.agency.findUnique({ where: { code: input.addressedTo } });
    if (!partner) {
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: input.addressedTo "${input.addressedTo}" is not an agency of the exchange.`, {
        issues: [{ path: 'input.addressedTo', message: 'is not an agency of the exchange' }],
      });
    }
    const firearm = await tx.firearm.findUnique({ where: { id: input.firearmId } });
    if (!firearm) throw hubError(ErrorCode.NOT_FOUND, 'No firearm with this id on your agency\'s alerts.');
    const reference = await nextReference(tx, `${owner}-TRC`, new Date().getUTCFullYear());
    const row = await tx.traceRequest.create({
      data: {
        reference,
        alertId: firearm.alertId,
        firearmId: firearm.id,
        addressedTo: input.addressedTo,
        question: input.question,
        createdBy: officer.sub,
        transitions: {
          create: { fromStatus: null, toStatus: TraceRequestStatus.SUBMITTED, actorAgency: officer.agency, actorSub: officer.sub },
        },
      },
      include: traceInclude(access.caller.agency, owner),
    });
    const view = releaseTraceRequest(row, owner, access)!;
    await unit.journal([traceRequestRecordRef(view, officer)], { change: 'trace request submitted', addressedTo: row.addressedTo });
    return view;
  });
}

export async function advanceTraceRequest(
  prisma: PrismaClient,
  access: TraceAccess,
  owner: string,
  id: string,
  input: AdvanceTraceRequestInput,
  journal: ChangeJournal,
) {
  const officer = access.caller;
  return inUnitOfWork(prisma, journal, async (unit) => {
    const { tx } = unit;
    const current = (await lockRow(tx, 'trace_request', id)) ? await tx.traceRequest.findUnique({ where: { id } }) : null;
    if (!current || (officer.agency !== owner && current.addressedTo !== officer.agency)) {
      throw hubError(ErrorCode.NOT_FOUND, 'No trace request with this id.');
    }
    const allowed = transitions[current.status];
    const party = Object.hasOwn(allowed, input.status) ? allowed[input.status] : undefined;
    if (!party) {
      throw hubError(ErrorCode.INVALID_TRANSITION, `A trace request cannot go from ${current.status} to ${input.status}.`, {
        from: current.status,
        to: input.status,
      });
    }
    const actingAs = officer.agency === current.addressedTo ? 'addressed' : 'requester';
    if (party !== actingAs) {
      const who = party === 'addressed' ? `the addressed agency (${current.addressedTo})` : `the requesting agency (${owner})`;
      throw hubError(ErrorCode.FORBIDDEN, `Only ${who} may move this trace request to ${input.status}.`);
    }
    if (input.status === TraceRequestStatus.ANSWERED && !input.answer) {
      throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: input.answer is required to answer a trace request.', {
        issues: [{ path: 'input.answer', message: 'is required to answer a trace request' }],
      });
    }
    const row = await tx.traceRequest.update({
      where: { id },
      data: {
        status: input.status,
        ...(input.answer ? { answer: input.answer } : {}),
        transitions: {
          create: {
            fromStatus: current.status,
            toStatus: input.status,
            actorAgency: officer.agency,
            actorSub: officer.sub,
            note: input.note ?? null,
          },
        },
      },
      include: traceInclude(access.caller.agency, owner),
    });
    const view = releaseTraceRequest(row, owner, access)!;
    await unit.journal([traceRequestRecordRef(view, officer)], { change: `trace request ${row.status.toLowerCase()}` });
    return view;
  });
}
