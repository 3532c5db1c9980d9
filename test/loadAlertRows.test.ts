import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { seedDemoData } from '../src/demo/seedDemoData.ts';
import { decideAccess } from '../src/consent/decideAccess.ts';
import { tierRank, type Tier } from '../src/consent/tier.ts';
import { alertInclude, consentFacts, releaseAlert, type AlertRow } from '../src/node/records/alertRelease.ts';
import { registerAgencies } from '../src/node/records/agencyRecords.ts';
import { loadAlertRows } from '../src/node/records/loadAlertRows.ts';
import type { Officer } from '../src/identity/officer.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';
import { agreement } from '../src/consent/agreement.ts';

// The one statement that loads alerts for the read path must return exactly
// what Prisma's include returns, rules and grants filtered for the caller
// alike, less the parts above the tier decided for the caller (items at
// SUMMARY, subjects and vehicles at FULL), or a view (and so a release) could
// differ between the two paths.

const purpose = { code: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' };

/** An included row as the statement reads it for a caller at `tier`: nothing above the tier. */
function atTier(row: AlertRow, tier: Tier): AlertRow {
  const summary = tierRank(tier) >= tierRank('SUMMARY');
  const personal = tierRank(tier) >= tierRank('FULL');
  return {
    ...row,
    releasedTier: tier,
    firearms: summary ? row.firearms : [],
    ammunition: summary ? row.ammunition : [],
    explosives: summary ? row.explosives : [],
    components: summary ? row.components : [],
    subjects: personal ? row.subjects : [],
    vehicles: personal ? row.vehicles : [],
  };
}

const day = 24 * 3600 * 1000;
const officer = (agency: string): Officer => ({ sub: `${agency.toLowerCase()}-officer`, agency, unit: `${agency}-BP`, roles: ['officer'], issuer: 'test' });

/** Prisma gives relations without an orderBy in no promised order; the statement orders them by key. */
function canonical(row: AlertRow) {
  const byKey = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    ...row,
    subjects: [...row.subjects]
      .sort(byKey((link) => link.subjectId))
      .map((link) => ({ ...link, subject: { ...link.subject, documents: [...link.subject.documents].sort(byKey((document) => document.id)) } })),
    vehicles: [...row.vehicles].sort(byKey((link) => link.vehicleId)),
    consentGrants: [...row.consentGrants].sort(byKey((grant) => `${grant.grantedAt.toISOString()} ${grant.id}`)),
  };
}

describe('loadAlertRows', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let ids: string[];

  beforeAll(async () => {
    database = await createTestDatabase('loadrows');
    prisma = createPrismaClient({ databaseUrl: database.applicationUrl });
    await seedDemoData(prisma, 'XK', { synthetic: 40 });
    await registerAgencies(prisma, ['XK', 'MK', 'AL']);
    const alerts = await prisma.alert.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } });
    ids = alerts.map((alert) => alert.id);
    const now = Date.now();
    // Rules for two partners and grants in every state, so that the caller's filtering shows.
    for (const [index, alertId] of ids.slice(0, 6).entries()) {
      const rules = [
        { partnerAgency: 'MK', tier: 'SUMMARY' as const, purposes: ['CRIMINAL_INVESTIGATION'] },
        ...(index % 2 === 0 ? [{ partnerAgency: 'AL', tier: 'HIT' as const, purposes: ['BORDER_CONTROL'] }] : []),
      ];
      await prisma.sharingRule.deleteMany({ where: { alertId } });
      await prisma.sharingRule.createMany({ data: rules.map((rule) => ({ ...rule, alertId, expiresAt: new Date(now + day), setBy: 'xk-duty' })) });
      for (const [grantee, tier, revoked] of [['MK', 'FULL', false], ['MK', 'SUMMARY', true], ['AL', 'SUMMARY', false]] as const) {
        await prisma.consentGrant.create({
          data: {
            alertId,
            granteeAgency: grantee,
            tier,
            purpose: 'CRIMINAL_INVESTIGATION',
            caseReference: index % 2 === 0 ? 'XK-MK-2026-0042' : null,
            expiresAt: new Date(now + (index + 1) * day),
            grantedBy: 'xk-duty',
            ...(revoked ? { revokedAt: new Date(now), revokedBy: 'xk-duty', revocationReason: 'case closed' } : {}),
          },
        });
      }
    }
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.[Symbol.asyncDispose]();
  });

  it.each(['XK', 'MK', 'AL'])('returns what the include returns up to the tier decided, for a caller of %s', async (agency) => {
    const caller = officer(agency);
    const now = new Date();
    const loaded = await loadAlertRows(prisma, { caller, owner: 'XK', purpose, now, agreement }, ids);
    const included = await prisma.alert.findMany({ where: { id: { in: ids } }, include: alertInclude(caller, 'XK') });
    const byId = new Map(included.map((row) => [row.id, row]));
    expect(loaded.map((row) => row.id)).toEqual(ids);
    const expected = ids.map((id) => {
      const row = byId.get(id)!;
      return canonical(atTier(row, decideAccess(caller, purpose, consentFacts(row, 'XK', agency), now, agreement).tier));
    });
    expect(loaded.map(canonical)).toEqual(expected);
    // The seed and the rows above reach every relation (the owner's officers read everything), and MK's
    // callers every tier, so that the comparison covers each.
    for (const relation of ['firearms', 'ammunition', 'explosives', 'components', 'subjects', 'vehicles', 'sharingRules'] as const) {
      if (agency === 'XK') expect(loaded.some((row) => row[relation].length > 0), relation).toBe(true);
    }
    if (agency === 'MK') expect([...new Set(loaded.map((row) => row.releasedTier))].sort()).toEqual(['FULL', 'HIT', 'NONE', 'SUMMARY']);
    if (agency !== 'AL') expect(loaded.some((row) => row.subjects.some((link) => link.subject.documents.length > 0))).toBe(true);
    expect(loaded.some((row) => row.consentGrants.length > 0)).toBe(agency !== 'XK');
  });

  it('releases every alert as the include would', async () => {
    const now = new Date();
    for (const agency of ['XK', 'MK', 'AL']) {
      const caller = officer(agency);
      const loaded = await loadAlertRows(prisma, { caller, owner: 'XK', purpose, now, agreement }, ids);
      const included = await prisma.alert.findMany({ where: { id: { in: ids } }, include: alertInclude(caller, 'XK') });
      const byId = new Map(included.map((row) => [row.id, row]));
      const views = loaded.map((row) => releaseAlert(row, 'XK', caller, purpose, now, agreement));
      expect(views).toEqual(ids.map((id) => releaseAlert(canonical(byId.get(id)!), 'XK', caller, purpose, now, agreement)));
      expect(views.some((view) => view?.access.basis === 'GRANT')).toBe(agency !== 'XK');
    }
  });

  it('keeps the order asked, leaves out ids with no alert, and loads nothing for no id', async () => {
    const caller = officer('XK');
    const wanted = [ids[3]!, '00000000-0000-4000-8000-000000000000', ids[0]!, ids[3]!];
    const access = { caller, owner: 'XK', purpose, now: new Date(), agreement };
    expect((await loadAlertRows(prisma, access, wanted)).map((row) => row.id)).toEqual([ids[3], ids[0], ids[3]]);
    expect(await loadAlertRows(prisma, access, [])).toEqual([]);
  });
});
