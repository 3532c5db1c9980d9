import type { PrismaClient } from '../database/createPrismaClient.ts';
import { advanceTraceRequestInput, createAlertInput, parseInput, submitTraceRequestInput } from '../domain/alertInput.ts';
import type { Officer } from '../identity/officer.ts';
import type { Role } from '../identity/roles.ts';
import { serviceJournal } from '../audit/auditCollector.ts';
import { registerAgencies } from '../node/records/agencyRecords.ts';
import { createAlert } from '../node/records/alertRecords.ts';
import { setSharingPolicy } from '../node/records/sharingPolicyRecords.ts';
import { agreement } from '../consent/agreement.ts';
import { days } from '../domain/durations.ts';
import { sharingPolicyInput } from '../consent/consentInput.ts';
import { advanceTraceRequest, submitTraceRequest } from '../node/records/traceRequestRecords.ts';
import {
  type DemoAgency,
  type DemoAlert,
  demoAlerts,
  demoTraceRequests,
  demoUnits,
  isDemoAgency,
  syntheticAlerts,
} from './demoData.ts';
import { demoUsers } from './demoUsers.ts';
import { pictureAlerts } from './demoPicture.ts';

const seedIssuer = 'urn:border-hub:seed';

/** Demo data is written like any change: with its entry in the agency's audit log, in the name of the seeding service. */
const seedJournal = (agency: string) => serviceJournal(agency, 'service:demo-seed');

/** How many synthetic alerts are written at once (each is its own transaction). */
const syntheticConcurrency = 4;

export interface SeedOptions {
  /** Reference time of the demo data; default: the current time. Must not be in the future. */
  now?: Date;
  /** Number of synthetic alerts to add after the hand-written ones. */
  synthetic?: number;
  /** Seed of the synthetic generator; default 1. */
  syntheticSeed?: number;
}

export interface SeedResult {
  /** Alerts written by this call. */
  created: number;
  /** True when the node already held alerts and nothing was written. */
  skipped: boolean;
}

/** The purpose demo trace requests are worked under. */
const seedPurpose = { code: 'FIREARM_TRACE', caseReference: 'XK-MK-2026-0042' };

function seedOfficer(sub: string, agency: string, unit: string, roles: readonly Role[] = ['officer']): Officer {
  return { sub, agency, unit, roles, issuer: seedIssuer };
}

/** The liaison officer who works or closes a trace request on behalf of an agency. */
function liaisonOf(agency: string): Officer {
  const user = Object.values(demoUsers).find((candidate) => candidate.agency === agency && candidate.unit.endsWith('-LIAISON'));
  return user
    ? seedOfficer(user.sub, agency, user.unit, ['liaison'])
    : seedOfficer(`${agency.toLowerCase()}.liaison.seed`, agency, `${agency}-LIAISON`, ['liaison']);
}

/** Writes one alert through the API's validation and write path. */
async function writeAlert(prisma: PrismaClient, agency: string, alert: DemoAlert): Promise<void> {
  const officer = seedOfficer(alert.createdBy, agency, alert.unitCode);
  await createAlert(prisma, officer, parseInput(createAlertInput, alert.input), seedJournal(agency), agreement);
}

async function seedTraceRequests(prisma: PrismaClient, agency: DemoAgency): Promise<void> {
  for (const request of demoTraceRequests(agency)) {
    await registerAgencies(prisma, [request.addressedTo]);
    const firearm = await prisma.firearm.findFirst({
      where: { serialNumber: request.firearmSerial, alert: { unit: { agencyCode: agency } } },
      orderBy: { createdAt: 'asc' },
      include: { alert: { select: { unitCode: true, createdBy: true } } },
    });
    if (!firearm) throw new Error(`Demo trace request: no ${agency} firearm with serial "${request.firearmSerial}".`);
    const requester = seedOfficer(firearm.alert.createdBy, agency, firearm.alert.unitCode);
    const submitted = await submitTraceRequest(
      prisma,
      { caller: requester, purpose: seedPurpose, agreement },
      agency,
      parseInput(submitTraceRequestInput, {
        firearmId: firearm.id,
        addressedTo: request.addressedTo,
        question: request.question,
      }),
      seedJournal(agency),
    );
    for (const step of request.advanceTo ?? []) {
      const actor = step.actorAgency === agency ? requester : liaisonOf(step.actorAgency);
      await advanceTraceRequest(
        prisma,
        { caller: actor, purpose: seedPurpose, agreement },
        agency,
        submitted.id,
        parseInput(advanceTraceRequestInput, { status: step.status, note: step.note ?? null, answer: step.answer ?? null }),
        seedJournal(agency),
      );
    }
  }
}

/**
 * Fills an agency node with its demo units, alerts and trace requests.
 *
 * Idempotent: when the node already holds an alert of the agency, only the
 * directory (agency and units) is refreshed and nothing else is written, so a
 * second `npm start` reuses the data. Alerts go through `createAlertInput` and
 * `createAlert`, the API's own validation and write path.
 */
export async function seedDemoData(
  prisma: PrismaClient,
  agency: string,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const now = options.now ?? new Date();

  await registerAgencies(prisma, [agency]);
  for (const unit of demoUnits[agency] ?? []) {
    const data = {
      name: unit.name,
      kind: unit.kind,
      borderCrossing: unit.borderCrossing ?? null,
      contactEmail: unit.contactEmail,
      contactPhone: unit.contactPhone,
    };
    await prisma.unit.upsert({
      where: { code: unit.code },
      create: { code: unit.code, agencyCode: agency, ...data },
      update: data,
    });
  }

  const existing = await prisma.alert.findFirst({ where: { unit: { agencyCode: agency } }, select: { id: true } });
  if (existing) return { created: 0, skipped: true };
  if (!isDemoAgency(agency)) return { created: 0, skipped: false };

  let created = 0;
  // Oldest first, so that "newest reported" and "most recent incident" agree.
  const alerts = demoAlerts(agency, now).sort((a, b) => a.input.occurredAt.getTime() - b.input.occurredAt.getTime());
  for (const alert of alerts) {
    await writeAlert(prisma, agency, alert);
    created += 1;
  }

  // The joint picture's year of alerts (demoPicture.ts), then any synthetic ones asked for.
  const synthetic = [...pictureAlerts(agency, now), ...syntheticAlerts(agency, options.synthetic ?? 0, options.syntheticSeed ?? 1, now)];
  let next = 0;
  const worker = async () => {
    while (next < synthetic.length) {
      const alert = synthetic[next++];
      if (!alert) break;
      await writeAlert(prisma, agency, alert);
      created += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(syntheticConcurrency, synthetic.length) }, worker));

  await seedSharingPolicies(prisma, agency, now);
  await seedTraceRequests(prisma, agency);
  return { created, skipped: false };
}

/**
 * Gives the demo a spread of consent states towards the partner agency, so
 * that a partner officer meets every tier: some alerts shared at SUMMARY,
 * some in FULL for investigations, most at the agreement's default (HIT),
 * and a few under handling code H2 that the partner never sees.
 */
async function seedSharingPolicies(prisma: PrismaClient, agency: DemoAgency, now: Date): Promise<void> {
  const partner: DemoAgency = agency === 'XK' ? 'MK' : 'XK';
  // A rule names an agency of the exchange, which the node's directory must know (as `hub seed` alone does not register it).
  await registerAgencies(prisma, [partner]);
  const alerts = await prisma.alert.findMany({ where: { unit: { agencyCode: agency } }, orderBy: { reference: 'asc' }, take: 14 });
  const inDays = (count: number) => new Date(now.getTime() + days(count));
  for (const [index, alert] of alerts.entries()) {
    const officer = seedOfficer(alert.createdBy, agency, alert.unitCode);
    const raw =
      index % 4 === 0
        ? { rules: [{ partnerAgency: partner, tier: 'SUMMARY', purposes: Object.keys(agreement.purposes), expiresAt: inDays(180) }] }
        : index % 4 === 1
          ? {
              handlingCode: 'H1',
              rules: [{ partnerAgency: partner, tier: 'FULL', purposes: ['CRIMINAL_INVESTIGATION', 'JOINT_OPERATION'], expiresAt: inDays(90) }],
            }
          : index % 7 === 3
            ? { handlingCode: 'H2', sourceReliability: 'A', informationAccuracy: 1 }
            : null;
    if (raw) await setSharingPolicy(prisma, officer, alert.id, parseInput(sharingPolicyInput(agreement), raw), seedJournal(agency), agreement);
  }
}
