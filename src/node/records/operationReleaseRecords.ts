import type { ChangeJournal } from '../../audit/auditCollector.ts';
import { domesticRecordRef } from '../../audit/recordRefs.ts';
import { jointOperationPurpose, type ExchangeAgreement } from '../../consent/agreement.ts';
import type { OperationReleaseInput } from '../../consent/consentInput.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import type { Tier } from '../../consent/tier.ts';
import type { ConsentGrantView } from '../../domain/alertView.ts';
import { isUuid } from '../../domain/ids.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { JointOperationRelease as ReleaseRow, Prisma, PrismaClient } from '../../generated/node/client.ts';
import { linkedAlertsDigest, type VerifiedMembership } from '../../identity/gatewayCredential.ts';
import type { Officer } from '../../identity/officer.ts';
import { assertConsentDecider, toGrantView } from './consentRequestRecords.ts';
import { inUnitOfWork } from './unitOfWork.ts';
import { announceAlertShared, sharingSnapshot } from '../../realtime/alertSharedEvents.ts';
import { matchRecord } from '../../realtime/watchMatching.ts';

/** What the owner releases, and to whom: its alerts linked to the operation, for the operation's other agencies. */
export interface JointOperationReleaseInput extends OperationReleaseInput {
  /** The hub's number of this decision of the owner for the operation: each is applied once, and never after a later one. */
  revision: number;
  alertIds: string[];
  granteeAgencies: string[];
}

/** The owner's release of one operation as the node holds it. */
export interface JointOperationReleaseView {
  operation: string;
  revision: number;
  tier: Tier;
  expiresAt: Date;
  granteeAgencies: string[];
  setBy: string;
  setAt: Date;
  /** When the node heard that the operation was closed or cancelled, and ended the release. */
  endedAt: Date | null;
}

/**
 * What became of a release sent to the node: APPLIED (its grants made now),
 * REPLAYED (this very revision was applied before: answered again, nothing
 * changed) or SUPERSEDED (the node holds a later decision, or another one
 * under this number: nothing changed, and `release` says what it holds).
 */
export type ReleaseOutcome = 'APPLIED' | 'REPLAYED' | 'SUPERSEDED';

export interface JointOperationReleaseResult {
  outcome: ReleaseOutcome;
  release: JointOperationReleaseView;
  /** The release's live grants (none once withdrawn or ended). */
  grants: ConsentGrantView[];
}

const toView = (row: ReleaseRow): JointOperationReleaseView => ({
  operation: row.operation,
  revision: row.revision,
  tier: row.tier,
  expiresAt: row.expiresAt,
  granteeAgencies: row.granteeAgencies,
  setBy: row.setBy,
  setAt: row.setAt,
  endedAt: row.endedAt,
});

/** The grants an operation's release is made of: the owner's grants under JOINT_OPERATION with the operation's code. */
const operationGrants = (operation: string): Prisma.ConsentGrantWhereInput => ({ purpose: jointOperationPurpose, caseReference: operation });

/** Releases of one operation follow one another: the lock is taken for the rest of the transaction. */
async function lockRelease(tx: Prisma.TransactionClient, operation: string): Promise<ReleaseRow | null> {
  await tx.$executeRaw`select pg_advisory_xact_lock(hashtext('node.joint_operation_release'), hashtext(${operation}))`;
  return tx.jointOperationRelease.findUnique({ where: { operation } });
}

/**
 * Thrown out of a unit of work that finds, under its lock, that there is
 * nothing to change: the unit rolls back (it wrote nothing) and the answer is
 * given without a change entry (the request's own entry records the call).
 */
class Unchanged<T> {
  constructor(readonly answer: T) {}
}

async function unlessUnchanged<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof Unchanged) return error.answer as T;
    throw error;
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

/** Whether a release sent again is the very decision the node applied under its number. */
const sameDecision = (row: ReleaseRow, release: JointOperationReleaseInput, alertIds: string[], grantees: string[]) =>
  row.revision === release.revision &&
  row.tier === release.tier &&
  row.expiresAt.getTime() === release.expiresAt.getTime() &&
  sameSet(row.alertIds, alertIds) &&
  sameSet(row.granteeAgencies, grantees);

function invalid(path: string, message: string) {
  return hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${path} ${message}.`, { issues: [{ path, message }] });
}

/**
 * Checks, from the node's own data and the agreement, what no gateway can
 * vouch for: the caller is an officer of the owner whose roles decide
 * consent (read from their own token), and the grantees are the owner's
 * partners in the exchange. And what only the gateway knows, from its signed
 * credential: the caller is a member of the operation, and these are exactly
 * the owner's alerts linked to it. The expiry was capped by the input's
 * parsing (grantExpiryProblem, with this node's clock).
 */
function assertReleasable(
  caller: Officer,
  owner: string,
  purpose: DeclaredPurpose,
  membership: VerifiedMembership | null,
  release: JointOperationReleaseInput,
  agreement: ExchangeAgreement,
) {
  const code = purpose.caseReference;
  assertConsentDecider(caller, owner, 'release its records to a joint operation', agreement);
  if (purpose.code !== jointOperationPurpose || !code || membership?.operation !== code) {
    throw hubError(ErrorCode.FORBIDDEN, `Only a member of the joint operation, working under ${jointOperationPurpose} with its code, releases ${owner}'s records to it.`);
  }
  if (release.tier !== 'NONE' && (!membership.linkedAlerts || membership.linkedAlerts !== linkedAlertsDigest(release.alertIds))) {
    throw hubError(ErrorCode.FORBIDDEN, `The gateway did not vouch that these are ${owner}'s alerts linked to joint operation ${code}.`);
  }
  if (!Number.isInteger(release.revision) || release.revision < 1) throw invalid('input.revision', 'must be a whole number from 1');
  const partners = agreement.parties.filter((party) => party !== owner);
  if (release.granteeAgencies.length === 0 || release.granteeAgencies.some((agency) => !partners.includes(agency))) {
    throw invalid('input.granteeAgencies', `must name partner agencies of the exchange (${partners.join(', ')})`);
  }
}

/**
 * The owner's decision on the tier its alerts linked to a joint operation are
 * released at to the operation's other agencies, as consent grants under the
 * purpose JOINT_OPERATION with the operation's code as case reference (so
 * decideAccess gives them to no other purpose or case). A newer revision
 * replaces the release at once: every live grant of the operation is revoked,
 * then the new ones made (none for NONE). The same revision sent again is
 * answered with what it made; an older one, or another decision under a
 * number already used, changes nothing (SUPERSEDED). Once the node has heard
 * that the operation is closed, only NONE is taken.
 */
export async function setJointOperationRelease(
  prisma: PrismaClient,
  caller: Officer,
  owner: string,
  purpose: DeclaredPurpose,
  membership: VerifiedMembership | null,
  release: JointOperationReleaseInput,
  journal: ChangeJournal,
  agreement: ExchangeAgreement,
  now = new Date(),
): Promise<JointOperationReleaseResult> {
  assertReleasable(caller, owner, purpose, membership, release, agreement);
  const code = purpose.caseReference!;
  const grantees = [...new Set(release.granteeAgencies)];
  const alertIds = release.tier === 'NONE' ? [] : [...new Set(release.alertIds)];
  const work = inUnitOfWork(prisma, journal, async (unit): Promise<JointOperationReleaseResult> => {
    const { tx, journal: write } = unit;
    const held = await lockRelease(tx, code);
    if (held && release.revision <= held.revision) {
      const live = await tx.consentGrant.findMany({ where: { ...operationGrants(code), revokedAt: null }, orderBy: { id: 'asc' } });
      throw new Unchanged<JointOperationReleaseResult>({
        outcome: sameDecision(held, release, alertIds, grantees) ? 'REPLAYED' : 'SUPERSEDED',
        release: toView(held),
        grants: live.map((grant) => toGrantView(grant, owner)),
      });
    }
    if (release.tier !== 'NONE' && (held?.endedAt || !membership!.open)) {
      throw hubError(ErrorCode.INVALID_TRANSITION, `Joint operation ${code} is closed: its releases have ended, and only NONE may be set.`);
    }
    const alerts = alertIds.every(isUuid) ? await tx.alert.findMany({ where: { id: { in: alertIds } }, select: { id: true, reference: true } }) : [];
    if (alerts.length !== alertIds.length) throw hubError(ErrorCode.NOT_FOUND, `Not every alert is a record of ${owner}.`);
    // What the grantees saw before: the release may let the operation's members see the records higher (alertShared).
    const before = await sharingSnapshot(tx, owner, alertIds, grantees);
    const revoked = await tx.consentGrant.updateManyAndReturn({
      where: { ...operationGrants(code), revokedAt: null },
      data: { revokedAt: now, revokedBy: caller.sub, revocationReason: `Replaced by ${owner}'s release at ${release.tier} to joint operation ${code} (revision ${release.revision}).` },
    });
    const grants = await tx.consentGrant.createManyAndReturn({
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
    const data = { revision: release.revision, tier: release.tier, expiresAt: release.expiresAt, alertIds, granteeAgencies: grantees, setBy: caller.sub, setAt: now };
    const row = await tx.jointOperationRelease.upsert({ where: { operation: code }, create: { operation: code, ...data }, update: data });
    await announceAlertShared(unit, before, 'JOINT_OPERATION_RELEASE', agreement, now);
    // A record hidden from a watcher when it was matched may be visible to it now: each meets its watchers again.
    for (const alert of alerts) await matchRecord(unit, owner, alert.id, agreement, now);
    await write(
      // The owner's own records, changed by its liaison: named as any change of one's own (the tier released is in the details).
      alerts.map((alert) => domesticRecordRef(owner, alert.id, 'ALERT', alert.reference)),
      { change: 'joint operation release', operation: code, revision: release.revision, tier: release.tier, grantees, grants: grants.map((grant) => grant.id), revoked: revoked.map((grant) => grant.id) },
    );
    return { outcome: 'APPLIED', release: toView(row), grants: grants.map((grant) => toGrantView(grant, owner)) };
  });
  return unlessUnchanged(work);
}

/** The owner's release of the operation the caller works in, as the node holds it; null when it never released any. */
export async function jointOperationRelease(prisma: PrismaClient, purpose: DeclaredPurpose): Promise<JointOperationReleaseView | null> {
  if (purpose.code !== jointOperationPurpose || !purpose.caseReference) return null;
  const row = await prisma.jointOperationRelease.findUnique({ where: { operation: purpose.caseReference } });
  return row && toView(row);
}

/**
 * Ends the release of a joint operation the gateway says is closed or
 * cancelled (its credential's membership, `open: false`), before the node
 * answers anything under it: every live grant of the operation is revoked,
 * and the node remembers the end, so that it takes no release but NONE for
 * it again whatever a gateway later says. Done once: a request under an
 * operation already ended costs one lookup. Ending only ever narrows what is
 * released, so the gateway's word is enough for it.
 */
export async function endClosedOperationRelease(
  prisma: PrismaClient,
  caller: Officer,
  owner: string,
  operation: string,
  journal: ChangeJournal,
  now = new Date(),
): Promise<void> {
  const known = await prisma.jointOperationRelease.findUnique({ where: { operation }, select: { endedAt: true } });
  if (known?.endedAt) return;
  const work = inUnitOfWork(prisma, journal, async ({ tx, journal: write }) => {
    // Another request may have ended it since the lookup.
    if ((await lockRelease(tx, operation))?.endedAt) throw new Unchanged(undefined);
    const revoked = await tx.consentGrant.updateManyAndReturn({
      where: { ...operationGrants(operation), revokedAt: null },
      data: { revokedAt: now, revokedBy: caller.sub, revocationReason: `Joint operation ${operation} was closed: its releases end.` },
      include: { alert: { select: { reference: true } } },
    });
    await tx.jointOperationRelease.upsert({
      where: { operation },
      update: { endedAt: now },
      // Never released here: the end is remembered all the same, so that no release of it is taken later.
      create: { operation, revision: 0, tier: 'NONE', expiresAt: now, alertIds: [], granteeAgencies: [], setBy: caller.sub, setAt: now, endedAt: now },
    });
    const alerts = new Map(revoked.map((grant) => [grant.alertId, grant.alert.reference]));
    await write(
      [...alerts].map(([id, reference]) => domesticRecordRef(owner, id, 'ALERT', reference)),
      { change: 'joint operation release ended', operation, revoked: revoked.map((grant) => grant.id) },
    );
  });
  await unlessUnchanged(work);
}
