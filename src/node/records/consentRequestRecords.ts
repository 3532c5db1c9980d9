import type { Prisma, PrismaClient } from '../../generated/node/client.ts';
import { mayDecideConsent, type ExchangeAgreement } from '../../consent/agreement.ts';
import { hours } from '../../domain/durations.ts';
import type { ConsentDecisionInput, ConsentRequestInput } from '../../consent/consentInput.ts';
import { decideAccess } from '../../consent/decideAccess.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { tierRank } from '../../consent/tier.ts';
import type { ConsentGrantView, ConsentRequestView } from '../../domain/alertView.ts';
import type { ChangeJournal } from '../../audit/auditCollector.ts';
import { domesticRecordRef } from '../../audit/recordRefs.ts';
import { isUuid } from '../../domain/ids.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { Officer } from '../../identity/officer.ts';
import { alertInclude, consentFacts, consentRelations } from './alertRelease.ts';
import { decodeCursor, encodeCursor } from '../../domain/cursor.ts';
import { lockRow } from './lockRow.ts';
import { inUnitOfWork } from './unitOfWork.ts';
import { announceAlertShared, sharingSnapshot } from '../../realtime/alertSharedEvents.ts';
import { consentEvent } from '../../realtime/consentEvents.ts';
import { matchRecord } from '../../realtime/watchMatching.ts';

const requestInclude = { alert: { select: { reference: true } }, grant: true } satisfies Prisma.ConsentRequestInclude;
type RequestRow = Prisma.ConsentRequestGetPayload<{ include: typeof requestInclude }>;
type GrantRow = Prisma.ConsentGrantGetPayload<object>;

/** A grant as released; `named` false: the caller may not know which record it opens (see toRequestView). */
export function toGrantView(grant: GrantRow, owner: string, named = true): ConsentGrantView {
  return {
    id: grant.id,
    owner,
    alertId: named ? grant.alertId : null,
    granteeAgency: grant.granteeAgency,
    tier: grant.tier,
    purpose: grant.purpose,
    caseReference: grant.caseReference,
    expiresAt: grant.expiresAt,
    grantedBy: grant.grantedBy,
    grantedAt: grant.grantedAt,
    revokedAt: grant.revokedAt,
    revokedBy: grant.revokedBy,
    revocationReason: grant.revocationReason,
  };
}

/**
 * A request as released. `named` false when the record it asks about does not
 * exist for the caller now (the owner lowered it to NONE for the caller's
 * agency and purpose): the requester keeps its own request, what it asked and
 * the owner's answer, but not which record it was about.
 */
function toRequestView(row: RequestRow, owner: string, now: Date, named = true): ConsentRequestView {
  const pending = row.status === 'PENDING';
  return {
    id: row.id,
    owner,
    alertId: named ? row.alertId : null,
    alertReference: named ? row.alert.reference : null,
    requestingAgency: row.requestingAgency,
    requestingUnit: row.requestingUnit,
    requestedBy: row.requestedBy,
    tier: row.tier,
    purpose: row.purpose,
    caseReference: row.caseReference,
    justification: row.justification,
    status: row.status,
    createdAt: row.createdAt,
    dueAt: row.dueAt,
    overdue: pending && row.dueAt <= now,
    secondsLeft: pending ? Math.round((row.dueAt.getTime() - now.getTime()) / 1000) : null,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    decisionReason: row.decisionReason,
    grant: row.grant ? toGrantView(row.grant, owner, named) : null,
  };
}

/** A request as listed, with what consent is decided on for the caller's agency of the record it names. */
function listedInclude(callerAgency: string, owner: string) {
  return {
    alert: { select: { reference: true, createdAt: true, handlingCode: true, ...consentRelations(callerAgency, owner) } },
    grant: true,
  } satisfies Prisma.ConsentRequestInclude;
}

/** Consent is decided by the owner's officers in a role the agreement marks `decidesConsent`, and no one else. */
export function assertConsentDecider(caller: Officer, owner: string, what: string, agreement: ExchangeAgreement) {
  if (caller.agency !== owner || !mayDecideConsent(caller.roles, agreement)) {
    throw hubError(ErrorCode.FORBIDDEN, `Only officers of ${owner}, the owner of the record, whose role decides consent (exchange agreement) may ${what}.`);
  }
}

/**
 * A partner asks the owner for a higher tier on a record it can see, for the
 * purpose and case it declared. The owner must answer within the agreement's
 * deadline.
 */
export async function requestConsent(
  prisma: PrismaClient,
  caller: Officer,
  owner: string,
  purpose: DeclaredPurpose,
  input: ConsentRequestInput,
  now: Date,
  journal: ChangeJournal,
  agreement: ExchangeAgreement,
): Promise<ConsentRequestView> {
  if (caller.agency === owner) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: input.alertId is a record of your own agency; consent is asked of partners.', {
      issues: [{ path: 'input.alertId', message: 'is a record of your own agency' }],
    });
  }
  return inUnitOfWork(prisma, journal, async (unit) => {
    const { tx } = unit;
    // The alert's row lock serialises requests on it: of two sent at once, the second sees the first as pending.
    const locked = await lockRow(tx, 'alert', input.alertId);
    const row = locked ? await tx.alert.findUnique({ where: { id: input.alertId }, include: alertInclude(caller, owner) }) : null;
    const decision = row ? decideAccess(caller, purpose, consentFacts(row, owner, caller.agency), now, agreement) : undefined;
    if (!row || !decision || decision.tier === 'NONE') throw hubError(ErrorCode.NOT_FOUND, 'No alert with this id.');
    if (tierRank(input.tier) > tierRank(decision.ceiling)) {
      throw hubError(
        ErrorCode.TIER_NOT_ALLOWED,
        `The exchange agreement allows at most ${decision.ceiling} for purpose ${purpose.code} and your roles; ${input.tier} cannot be requested.`,
        { ceiling: decision.ceiling },
      );
    }
    if (tierRank(input.tier) <= tierRank(decision.tier)) {
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: input.tier: you already see ${row.reference} at ${decision.tier}.`, {
        issues: [{ path: 'input.tier', message: `is not above your current tier ${decision.tier}` }],
      });
    }
    // A grant answers one purpose and case: only a request for the same two waits on a pending one.
    const pending = await tx.consentRequest.findFirst({
      where: { alertId: row.id, requestingAgency: caller.agency, purpose: purpose.code, caseReference: purpose.caseReference, status: 'PENDING' },
    });
    if (pending) {
      const forCase = purpose.caseReference ? ` and case ${purpose.caseReference}` : '';
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: a request of your agency for ${row.reference} under this purpose${forCase} is already pending.`, {
        issues: [{ path: 'input.alertId', message: 'has a pending request of your agency for this purpose and case' }],
      });
    }
    const created = await tx.consentRequest.create({
      data: {
        alertId: row.id,
        requestingAgency: caller.agency,
        requestingUnit: caller.unit,
        requestedBy: caller.sub,
        tier: input.tier,
        purpose: purpose.code,
        caseReference: purpose.caseReference,
        justification: input.justification,
        dueAt: new Date(now.getTime() + hours(agreement.consentRequests.answerDeadlineHours)),
      },
      include: requestInclude,
    });
    // The owner's duty officers learn of it at once, with its deadline.
    unit.emit(consentEvent('CONSENT_REQUESTED', created, 'OWNER', owner));
    // The record at the tier and on the basis the requester sees it now; the tier asked for is in the details.
    await unit.journal([{ agency: owner, id: row.id, type: 'ALERT', reference: row.reference, tier: decision.tier, basis: decision.basis }], {
      change: 'consent requested',
      request: created.id,
      requestedTier: input.tier,
    });
    return toRequestView(created, owner, now);
  });
}

/**
 * The requests a caller may read in one direction: incoming, every request
 * to the owner's records for its officers who decide consent; outgoing, its
 * own agency's requests to this owner. None otherwise.
 */
function requestScope(caller: Officer, owner: string, direction: 'INCOMING' | 'OUTGOING', agreement: ExchangeAgreement): Prisma.ConsentRequestWhereInput {
  const none = { id: { in: [] } };
  if (direction === 'INCOMING') return caller.agency === owner && mayDecideConsent(caller.roles, agreement) ? {} : none;
  return caller.agency === owner ? none : { requestingAgency: caller.agency };
}

/**
 * One request as consentRequests would list it to the caller now (incoming
 * to the owner's officers who decide consent, outgoing to the requesting
 * agency), or null when it would not: what a consent event delivers.
 */
export async function consentRequestFor(prisma: PrismaClient, caller: Officer, owner: string, id: string, agreement: ExchangeAgreement, now = new Date()): Promise<ConsentRequestView | null> {
  if (!isUuid(id)) return null;
  const direction = caller.agency === owner ? 'INCOMING' : 'OUTGOING';
  const row = await prisma.consentRequest.findFirst({ where: { AND: [requestScope(caller, owner, direction, agreement), { id }] }, include: requestInclude });
  return row && toRequestView(row, owner, now);
}

export interface ConsentRequestFilter {
  direction: 'INCOMING' | 'OUTGOING';
  statuses?: ('PENDING' | 'GRANTED' | 'REFUSED' | 'WITHDRAWN')[] | null;
  overdueOnly?: boolean | null;
}

/**
 * Incoming requests (to the owner's officers whose role decides consent) or outgoing ones (a
 * partner following its own agency's requests), oldest deadline first.
 */
export async function listConsentRequests(
  prisma: PrismaClient,
  caller: Officer,
  owner: string,
  purpose: DeclaredPurpose,
  filter: ConsentRequestFilter,
  page: { first: number; after?: string | null },
  agreement: ExchangeAgreement,
  now = new Date(),
) {
  if (filter.direction === 'INCOMING' && caller.agency === owner) assertConsentDecider(caller, owner, 'see incoming consent requests', agreement);
  const scope = requestScope(caller, owner, filter.direction, agreement);
  const base: Prisma.ConsentRequestWhereInput = {
    AND: [
      scope,
      filter.statuses?.length ? { status: { in: filter.statuses } } : {},
      filter.overdueOnly ? { status: 'PENDING', dueAt: { lte: now } } : {},
    ],
  };
  // Keyset on (dueAt, id), ascending: a duty officer's work list, the most urgent first.
  const after = page.after ? decodeCursor(page.after) : undefined;
  const where = after
    ? { AND: [base, { OR: [{ dueAt: { gt: after.at } }, { dueAt: after.at, id: { gt: after.id } }] }] }
    : base;
  const [rows, totalCount] = await Promise.all([
    prisma.consentRequest.findMany({ where, include: listedInclude(caller.agency, owner), orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], take: page.first + 1 }),
    prisma.consentRequest.count({ where: base }),
  ]);
  const pageRows = rows.slice(0, page.first);
  return {
    // A request names its record only while the record exists for the caller, as alert(id) would show it.
    views: pageRows.map((row) => toRequestView(row, owner, now, decideAccess(caller, purpose, consentFacts(row.alert, owner, caller.agency), now, agreement).tier !== 'NONE')),
    cursors: pageRows.map((row) => encodeCursor({ at: row.dueAt, id: row.id })),
    hasNextPage: rows.length > page.first,
    totalCount,
  };
}

/**
 * A duty officer of the owner grants (possibly a lower tier, always with an
 * expiry, for the purpose and case of the request, on this record only) or
 * refuses, with a reason. Decided once: the row lock keeps two duty officers
 * from both deciding.
 */
export async function decideConsentRequest(
  prisma: PrismaClient,
  caller: Officer,
  owner: string,
  id: string,
  input: ConsentDecisionInput,
  now: Date,
  journal: ChangeJournal,
  agreement: ExchangeAgreement,
): Promise<ConsentRequestView> {
  assertConsentDecider(caller, owner, 'decide consent requests', agreement);
  return inUnitOfWork(prisma, journal, async (unit) => {
    const { tx } = unit;
    const request = (await lockRow(tx, 'consent_request', id)) ? await tx.consentRequest.findUnique({ where: { id } }) : null;
    if (!request) throw hubError(ErrorCode.NOT_FOUND, 'No consent request with this id.');
    if (request.status !== 'PENDING') {
      throw hubError(ErrorCode.INVALID_TRANSITION, `This consent request was already decided (${request.status}).`, { status: request.status });
    }
    // What the requester's agency saw of the record before: a grant may let its officers see it higher (alertShared).
    const before = input.decision === 'GRANT' ? await sharingSnapshot(tx, owner, [request.alertId], [request.requestingAgency]) : null;
    if (input.decision === 'GRANT') {
      const tier = input.tier ?? request.tier;
      if (tierRank(tier) > tierRank(request.tier)) {
        throw hubError(ErrorCode.TIER_NOT_ALLOWED, `A grant cannot exceed the tier requested (${request.tier}).`);
      }
      await tx.consentGrant.create({
        data: {
          alertId: request.alertId,
          requestId: request.id,
          granteeAgency: request.requestingAgency,
          tier,
          purpose: request.purpose,
          caseReference: request.caseReference,
          expiresAt: input.expiresAt!,
          grantedBy: caller.sub,
        },
      });
    }
    // The grant may make the record visible to a watcher it was hidden from when it was matched: it meets its watchers again.
    if (input.decision === 'GRANT') await matchRecord(unit, owner, request.alertId, agreement, now);
    const decided = await tx.consentRequest.update({
      where: { id },
      data: {
        status: input.decision === 'GRANT' ? 'GRANTED' : 'REFUSED',
        decidedBy: caller.sub,
        decidedAt: now,
        decisionReason: input.reason,
      },
      include: requestInclude,
    });
    if (before) await announceAlertShared(unit, before, 'CONSENT_GRANT', agreement, now);
    unit.emit(consentEvent('CONSENT_DECIDED', decided, 'REQUESTER', owner, decided.grant?.id));
    await unit.journal([{ ...domesticRecordRef(owner, decided.alertId, 'ALERT', decided.alert.reference), ...(decided.grant ? { grantId: decided.grant.id } : {}) }], {
      change: `consent request ${decided.status.toLowerCase()}`,
      request: decided.id,
      grantee: decided.requestingAgency,
      ...(decided.grant ? { grantedTier: decided.grant.tier } : {}),
    });
    return toRequestView(decided, owner, now);
  });
}

/** A consent request as it is now (the answer to a decision or request made again under its idempotency key). */
export async function findConsentRequest(prisma: PrismaClient, owner: string, id: string, now = new Date()): Promise<ConsentRequestView> {
  const row = isUuid(id) ? await prisma.consentRequest.findUnique({ where: { id }, include: requestInclude }) : null;
  if (!row) throw hubError(ErrorCode.NOT_FOUND, 'No consent request with this id.');
  return toRequestView(row, owner, now);
}

/** Grants as they are now, in the order of `ids` (the answer to a revocation or release made again under its idempotency key). */
export async function findConsentGrants(prisma: PrismaClient, owner: string, ids: readonly string[]): Promise<ConsentGrantView[]> {
  const rows = await prisma.consentGrant.findMany({ where: { id: { in: ids.filter(isUuid) } } });
  return ids.flatMap((id) => rows.filter((row) => row.id === id).map((row) => toGrantView(row, owner)));
}

/** Withdraws a grant; the partner is back to its policy tier on its very next request. */
export async function revokeConsentGrant(
  prisma: PrismaClient,
  caller: Officer,
  owner: string,
  id: string,
  reason: string,
  now: Date,
  journal: ChangeJournal,
  agreement: ExchangeAgreement,
): Promise<ConsentGrantView> {
  assertConsentDecider(caller, owner, 'revoke consent grants', agreement);
  return inUnitOfWork(prisma, journal, async (unit) => {
    const { tx } = unit;
    const grant = (await lockRow(tx, 'consent_grant', id)) ? await tx.consentGrant.findUnique({ where: { id } }) : null;
    if (!grant) throw hubError(ErrorCode.NOT_FOUND, 'No consent grant with this id.');
    if (grant.revokedAt) throw hubError(ErrorCode.INVALID_TRANSITION, 'This grant is already revoked.');
    const revoked = await tx.consentGrant.update({
      where: { id },
      data: { revokedAt: now, revokedBy: caller.sub, revocationReason: reason },
      include: { request: true },
    });
    // The unit that asked for it learns of it (a joint operation's release has no request: its members follow the operation).
    if (revoked.request) unit.emit(consentEvent('CONSENT_GRANT_REVOKED', revoked.request, 'REQUESTER', owner, revoked.id));
    await unit.journal([{ ...domesticRecordRef(owner, revoked.alertId, 'ALERT'), grantId: revoked.id }], { change: 'consent grant revoked', grantee: revoked.granteeAgency, revokedTier: revoked.tier });
    return toGrantView(revoked, owner);
  });
}
