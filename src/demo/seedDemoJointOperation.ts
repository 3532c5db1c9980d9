import { serviceJournal } from '../audit/auditCollector.ts';
import { gatewayParty } from '../audit/auditEntry.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import { addOperationMember } from '../operations/memberRecords.ts';
import { createJointOperationInput } from '../operations/operationInput.ts';
import { changeOperationStatus, createJointOperation } from '../operations/operationRecords.ts';
import { addTimelineEntry } from '../operations/timelineRecords.ts';
import { days } from '../domain/durations.ts';
import type { Officer } from '../identity/officer.ts';
import { demoUsers, type DemoUserName } from './demoUsers.ts';

/** The demo operation's code: the case reference its members declare with JOINT_OPERATION. */
export const demoOperationCode = 'XK-MK-JO-2026-07';

const officer = (name: DemoUserName): Officer => ({ ...demoUsers[name], issuer: 'demo-seed' });
const member = (name: DemoUserName, role: 'TEAM_LEAD' | 'MEMBER' | 'ANALYST') => ({
  officerSub: demoUsers[name].sub,
  agency: demoUsers[name].agency,
  unitCode: demoUsers[name].unit,
  role,
});

/**
 * One active joint operation of XK and MK at Hani i Elezit / Blace, run by the
 * demo liaisons, with each agency's border officer as a member and a
 * briefing on its timeline: what a liaison finds after `npm start`. Written
 * through the same records (and audit entries) as the API; skipped when the
 * hub database already holds it.
 */
export async function seedDemoJointOperation(prisma: HubPrismaClient, agencies: readonly string[]): Promise<{ skipped: boolean }> {
  if (!agencies.includes('XK') || !agencies.includes('MK')) return { skipped: true };
  if (await prisma.jointOperation.findUnique({ where: { code: demoOperationCode }, select: { id: true } })) return { skipped: true };
  const journal = serviceJournal(gatewayParty, 'demo-seed');
  const now = Date.now();
  const day = days(1);
  const input = createJointOperationInput.parse({
    code: demoOperationCode,
    codeName: 'KUFIRI',
    objective: 'Detect and stop the smuggling of pistols, ammunition and explosives through the Hani i Elezit / Blace crossing.',
    legalBasis: 'Police cooperation agreement between Kosovo and North Macedonia: joint operations and exchange of information.',
    leadAgency: 'XK',
    participatingAgencies: ['XK', 'MK'],
    area: { borderCrossings: ['HANI_I_ELEZIT_BLACE'], greenBorderSectors: ['Hani i Elezit – Blace sector'], municipalities: ['Hani i Elezit', 'Čučer-Sandevo'] },
    plannedStart: new Date(now - day),
    plannedEnd: new Date(now + 30 * day),
    partnerLiaisons: [{ officerSub: demoUsers['mk-liaison'].sub, agency: 'MK', unitCode: demoUsers['mk-liaison'].unit }],
  });
  const operation = await createJointOperation(prisma, officer('xk-liaison'), input, agencies, journal);
  await addOperationMember(prisma, officer('xk-liaison'), operation.id, member('xk-border-officer', 'TEAM_LEAD'), journal);
  await addOperationMember(prisma, officer('mk-liaison'), operation.id, member('mk-border-officer', 'MEMBER'), journal);
  await changeOperationStatus(prisma, officer('mk-liaison'), operation.id, { status: 'ACTIVE', reason: 'Both teams in place.' }, journal);
  await addTimelineEntry(
    prisma,
    officer('xk-liaison'),
    operation.id,
    { kind: 'BRIEFING', occurredAt: new Date(now - day / 2), text: 'Joint briefing at the Blace side: vehicle checks on the outbound lanes.', alertIds: [], personsArrested: null, correctsId: null },
    journal,
  );
  return { skipped: false };
}
