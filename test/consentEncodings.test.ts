import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../src/consent/agreement.ts';
import { decideAccess } from '../src/consent/decideAccess.ts';
import { tierRank, type Tier } from '../src/consent/tier.ts';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { seedDemoData } from '../src/demo/seedDemoData.ts';
import type { Officer } from '../src/identity/officer.ts';
import { registerAgencies } from '../src/node/records/agencyRecords.ts';
import { consentFacts } from '../src/node/records/alertRelease.ts';
import { Prisma } from '../src/generated/node/client.ts';
import { countListedAlerts, loadAlertPage, loadAlertRows } from '../src/node/records/loadAlertRows.ts';
import { releasedAtLeast } from '../src/node/records/visibility.ts';
import { callerArbitrary, consentFactsOf, recordStateArbitrary, writeRecordState, type PartnerConsent, type RecordState } from './consentArbitraries.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';

// decideAccess states the consent rule. The node states it twice more, for
// its database: the Prisma filter of visibility.ts (which alerts a search may
// choose among, at HIT, SUMMARY or FULL and above) and the statements of
// loadAlertRows.ts (which alerts a list's page and its count hold, at each
// tier; the tier each alert is read for, decided in SQL by releasedTierSql.ts,
// with nothing above it read; and which of an alert's sharing rules and grants
// come with it for the caller). Both are pinned here to decideAccess over generated
// rules, grants, record ages, handling codes and callers (agency, roles,
// purpose, case), with the rules and grants of a second partner beside the
// caller's, including the instants where a rule, a grant or the default
// policy ends: dropping any condition of either statement fails it.

const owner = 'XK';
const partners = ['MK', 'AL'] as const;
const records = 6;
const releasable: Exclude<Tier, 'NONE'>[] = ['HIT', 'SUMMARY', 'FULL'];

/** An alert's consent state: its own (handling, age) with MK's rule and grants, and AL's rule and grants. */
const alertStateArbitrary = fc.record({ state: recordStateArbitrary, al: recordStateArbitrary.map(({ rule, grants }): PartnerConsent => ({ rule, grants })) });

let database: TestDatabase;
let prisma: PrismaClient;
let ids: string[];

beforeAll(async () => {
  database = await createTestDatabase('encodings');
  prisma = createPrismaClient({ databaseUrl: database.url });
  await registerAgencies(prisma, [owner, ...partners]);
  await seedDemoData(prisma, owner, { synthetic: records });
  ids = (await prisma.alert.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' }, take: records })).map((alert) => alert.id);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.[Symbol.asyncDispose]();
});

describe('the consent rule as the node states it to its database', () => {
  it('releases exactly what decideAccess releases: the filter at every tier, the read statement its tier and the facts of the caller alone', async () => {
    const seen = new Set<Tier>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(alertStateArbitrary, { minLength: records, maxLength: records }),
        callerArbitrary,
        fc.constantFrom(...partners),
        async (alerts, generated, partner) => {
          const now = Date.now();
          for (const [index, { state, al }] of alerts.entries()) await writeRecordState(prisma, ids[index]!, 'MK', state, now, { AL: al });
          const agency = generated.domestic ? owner : partner;
          const caller: Officer = { sub: `${agency}.property`, agency, unit: `${agency}-DUTY`, roles: generated.roles, issuer: 'test' };
          const purpose = { code: generated.purpose, caseReference: generated.caseReference };
          const at = new Date(now);
          const consentOf = (state: RecordState, al: PartnerConsent) => (agency === 'MK' ? state : agency === 'AL' ? al : undefined);
          const expected = alerts.map(({ state, al }) => decideAccess(caller, purpose, consentFactsOf(owner, state, consentOf(state, al), now), at, agreement).tier);
          expected.forEach((tier) => seen.add(tier));
          const context = JSON.stringify({ caller, purpose, alerts });

          // visibility.ts: at each tier, the alerts released at it or above.
          for (const least of releasable) {
            const rows = await prisma.alert.findMany({ where: { AND: [{ id: { in: ids } }, releasedAtLeast(caller, owner, purpose, at, least, agreement)] }, select: { id: true } });
            const released = new Set(rows.map((row) => row.id));
            expect(ids.map((id) => released.has(id)), `${least}: ${context}`).toEqual(expected.map((tier) => tierRank(tier) >= tierRank(least)));
          }

          // loadAlertRows.ts, a list's page and its count: at each tier, the alerts released at it or above, read for
          // decideAccess's tier, newest first.
          const among = [Prisma.sql`a.id = any(${ids}::uuid[])`];
          const access = { caller, owner, purpose, now: at, agreement };
          for (const least of releasable) {
            const listed = ids.filter((_, index) => tierRank(expected[index]!) >= tierRank(least));
            const page = await loadAlertPage(prisma, access, { where: among, least }, { first: records, count: true });
            expect(page.rows.map((row) => row.id).sort(), `page at ${least}: ${context}`).toEqual([...listed].sort());
            expect(page.rows.map((row) => row.releasedTier), `page tiers at ${least}: ${context}`).toEqual(page.rows.map((row) => expected[ids.indexOf(row.id)]));
            expect(page.hasNextPage).toBe(false);
            expect(page.totalCount, `count at ${least}: ${context}`).toBe(listed.length);
            expect(await countListedAlerts(prisma, access, { where: among, least }), `count alone at ${least}: ${context}`).toBe(listed.length);
          }

          // loadAlertRows.ts: each alert read for decideAccess's tier and nothing above it, with the rules and
          // grants that concern the caller and no other, which decide as decideAccess does.
          const rows = await loadAlertRows(prisma, { caller, owner, purpose, now: at, agreement }, ids);
          expect(rows.map((row) => row.id)).toEqual(ids);
          for (const [index, row] of rows.entries()) {
            const { state, al } = alerts[index]!;
            const tier = expected[index]!;
            expect(row.releasedTier, `tier: ${context}`).toBe(tier);
            if (tierRank(tier) < tierRank('SUMMARY')) expect(row.firearms.length + row.ammunition.length + row.explosives.length + row.components.length).toBe(0);
            if (tierRank(tier) < tierRank('FULL')) expect(row.subjects.length + row.vehicles.length).toBe(0);
            const stored = { MK: state, AL: al };
            const partnersWithRules = partners.filter((name) => stored[name].rule !== null).sort();
            expect(row.sharingRules.map((rule) => rule.partnerAgency).sort(), `rules: ${context}`).toEqual(
              agency === owner ? partnersWithRules : partnersWithRules.filter((name) => name === agency),
            );
            expect(row.consentGrants.map((grant) => grant.granteeAgency), `grants: ${context}`).toEqual(agency === owner ? [] : stored[agency as 'MK' | 'AL'].grants.map(() => agency));
            expect(decideAccess(caller, purpose, consentFacts(row, owner, agency), at, agreement).tier, `decision: ${context}`).toBe(expected[index]);
          }
        },
      ),
      { seed: 20261206, numRuns: 120 },
    );
    // The generated states reach every tier.
    expect([...seen].sort()).toEqual(['FULL', 'HIT', 'NONE', 'SUMMARY']);
  }, 300_000);
});
