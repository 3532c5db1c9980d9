import { serviceJournal } from '../audit/auditCollector.ts';
import { gatewayParty } from '../audit/auditEntry.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import type { Officer } from '../identity/officer.ts';
import { createJointOperationInput } from '../operations/operationInput.ts';
import { changeOperationStatus, createJointOperation } from '../operations/operationRecords.ts';
import { addTimelineEntry } from '../operations/timelineRecords.ts';
import { demoUsers, type DemoUserName } from './demoUsers.ts';

const officer = (name: DemoUserName): Officer => ({ ...demoUsers[name], issuer: 'demo-seed' });

/**
 * Two closed joint operations of XK and MK over the past year, with arrests
 * on their timelines: what the joint picture's arrests series shows after
 * `npm start`. Months ago → persons arrested: some months released, one
 * under the minimum, one where an operation's share is under it (suppressed
 * although the total is not). Skipped when the hub database already holds them.
 */
const operations = [
  { code: 'XK-MK-JO-2026-03', codeName: 'SHKUPI', lead: 'xk-liaison', arrests: [[10, 6], [8, 3], [6, 7], [3, 9], [1, 5]] },
  { code: 'XK-MK-JO-2026-05', codeName: 'LIPKOVO', lead: 'mk-liaison', arrests: [[6, 5], [3, 2]] },
] as const satisfies readonly { code: string; codeName: string; lead: DemoUserName; arrests: readonly (readonly [number, number])[] }[];

export async function seedDemoJointArrests(prisma: HubPrismaClient, agencies: readonly string[], now = new Date()): Promise<{ skipped: boolean }> {
  if (!agencies.includes('XK') || !agencies.includes('MK')) return { skipped: true };
  if (await prisma.jointOperation.findUnique({ where: { code: operations[0].code }, select: { id: true } })) return { skipped: true };
  const journal = serviceJournal(gatewayParty, 'demo-seed');
  const monthsAgo = (months: number, day = 12) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, day, 9));
  for (const plan of operations) {
    const lead = officer(plan.lead);
    const partner = plan.lead === 'xk-liaison' ? 'mk-liaison' : 'xk-liaison';
    const input = createJointOperationInput.parse({
      code: plan.code,
      codeName: plan.codeName,
      objective: 'Dismantle a network moving pistols and ammunition across the green border near Lipkovo and Tanusha.',
      legalBasis: 'Police cooperation agreement between Kosovo and North Macedonia: joint operations and exchange of information.',
      leadAgency: lead.agency,
      participatingAgencies: ['XK', 'MK'],
      area: { borderCrossings: [], greenBorderSectors: ['Karadak sector'], municipalities: ['Lipkovo', 'Viti'] },
      plannedStart: monthsAgo(11, 1),
      plannedEnd: monthsAgo(0, 1),
      partnerLiaisons: [{ officerSub: demoUsers[partner].sub, agency: demoUsers[partner].agency, unitCode: demoUsers[partner].unit }],
    });
    const operation = await createJointOperation(prisma, lead, input, agencies, journal);
    await changeOperationStatus(prisma, lead, operation.id, { status: 'ACTIVE', reason: 'Both teams in place.' }, journal);
    for (const [months, persons] of plan.arrests) {
      await addTimelineEntry(
        prisma,
        lead,
        operation.id,
        { kind: 'ARREST', occurredAt: monthsAgo(months), text: `${persons} persons arrested with weapons in their vehicles.`, personsArrested: persons, alertIds: [], correctsId: null },
        journal,
      );
    }
    await changeOperationStatus(prisma, lead, operation.id, { status: 'CLOSED', reason: 'Objectives met.' }, journal);
  }
  return { skipped: false };
}
