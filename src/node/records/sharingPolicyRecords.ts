import type { PrismaClient } from '../../generated/node/client.ts';
import type { ExchangeAgreement } from '../../consent/agreement.ts';
import type { SharingPolicyInput } from '../../consent/consentInput.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { ChangeJournal } from '../../audit/auditCollector.ts';
import { domesticRecordRef } from '../../audit/recordRefs.ts';
import { isUuid } from '../../domain/ids.ts';
import { validationFailed } from '../../domain/alertInput.ts';
import type { Officer } from '../../identity/officer.ts';
import { alertInclude, type AlertRow } from './alertRelease.ts';
import { inUnitOfWork } from './unitOfWork.ts';
import { matchRecord } from '../../realtime/watchMatching.ts';
import { announceAlertShared, sharingSnapshot } from '../../realtime/alertSharedEvents.ts';

/**
 * Changes the handling, grading and per-partner rules of an alert of the
 * owner. A rule replaces the previous rule for its partner; partners not
 * named keep theirs. One transaction: the policy is never half-changed.
 */
export async function setSharingPolicy(
  prisma: PrismaClient,
  officer: Officer,
  id: string,
  input: SharingPolicyInput,
  journal: ChangeJournal,
  agreement: ExchangeAgreement,
): Promise<AlertRow> {
  if (input.rules.some((rule) => rule.partnerAgency === officer.agency)) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: input.rules names your own agency; rules are for partners.', {
      issues: [{ path: 'input.rules', message: 'names your own agency' }],
    });
  }
  return inUnitOfWork(prisma, journal, async (unit) => {
    const { tx } = unit;
    const alert = isUuid(id) ? await tx.alert.findUnique({ where: { id } }) : null;
    if (!alert) throw hubError(ErrorCode.NOT_FOUND, 'No alert with this id.');
    // A rule is for an agency of the exchange: those the node registered at start (AGENCIES), no other.
    const partners = input.rules.map((rule) => rule.partnerAgency);
    const known = new Set((await tx.agency.findMany({ where: { code: { in: partners } }, select: { code: true } })).map((agency) => agency.code));
    const unknown = partners.flatMap((partner, index) => (known.has(partner) ? [] : [{ path: `input.rules.${index}.partnerAgency`, message: `${partner} is not an agency of the exchange` }]));
    if (unknown.length) throw validationFailed(unknown);
    // What every partner saw before: a rule, or an H2 lifted, may let its officers see the record higher (alertShared).
    const before = await sharingSnapshot(tx, officer.agency, [id], [...agreement.parties, ...partners]);
    const handlingCode = input.handlingCode ?? alert.handlingCode;
    const handlingConditions = input.handlingConditions ?? (handlingCode === 'H3' ? alert.handlingConditions : null);
    if (handlingCode === 'H3' && !handlingConditions) {
      throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: input.handlingConditions must state the restrictions of an H3 record.', {
        issues: [{ path: 'input.handlingConditions', message: 'must state the restrictions of an H3 record' }],
      });
    }
    await tx.alert.update({
      where: { id },
      data: {
        handlingCode,
        handlingConditions,
        sourceReliability: input.sourceReliability ?? alert.sourceReliability,
        informationAccuracy: input.informationAccuracy ?? alert.informationAccuracy,
      },
    });
    for (const rule of input.rules) {
      const data = { tier: rule.tier, purposes: rule.purposes, expiresAt: rule.expiresAt, setBy: officer.sub, setAt: new Date() };
      await tx.sharingRule.upsert({
        where: { alertId_partnerAgency: { alertId: id, partnerAgency: rule.partnerAgency } },
        create: { alertId: id, partnerAgency: rule.partnerAgency, ...data },
        update: data,
      });
    }
    // A partner the record was hidden from may now see it: its watch entries meet the record now.
    await matchRecord(unit, officer.agency, id, agreement);
    await announceAlertShared(unit, before, 'SHARING_POLICY', agreement);
    await unit.journal([domesticRecordRef(officer.agency, id, 'ALERT', alert.reference)], {
      change: 'sharing policy set',
      handlingCode,
      rules: input.rules.map((rule) => ({ ...rule, expiresAt: rule.expiresAt.toISOString() })),
    });
    return tx.alert.findUniqueOrThrow({ where: { id }, include: alertInclude(officer, officer.agency) });
  });
}
