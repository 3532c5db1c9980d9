import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAccess } from '../src/consent/decideAccess.ts';
import { tierRank } from '../src/consent/tier.ts';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { seedDemoData } from '../src/demo/seedDemoData.ts';
import type { Officer } from '../src/identity/officer.ts';
import { registerAgencies } from '../src/node/records/agencyRecords.ts';
import { loadAlertRows } from '../src/node/records/loadAlertRows.ts';
import { callerArbitrary, recordStateArbitrary, writeRecordState, type RecordState } from './consentArbitraries.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';

// The statement that reads alerts decides in SQL the tier each is read for
// (src/node/records/releasedTierSql.ts), so that nothing above it leaves the
// database. That is a second statement of decideAccess's rule: this property
// pins the two together over generated rules, grants, ages, handling codes,
// callers, roles, purposes and cases, including the instants where a rule,
// grant or the default policy ends. Dropping any condition of the SQL (a
// revoked grant, the case of a grant, H2, the ceiling, …) fails it.

const day = 24 * 3600 * 1000;
const stateFacts = (state: RecordState, now: number) => {
  const expiry = (expired: boolean, minutes: number) => new Date(now + (expired ? -1 : 1) * minutes * 60_000);
  return {
    owner: 'XK',
    createdAt: new Date(now - state.ageDays * day),
    handlingCode: state.handlingCode,
    rule: state.rule ? { tier: state.rule.tier, purposes: state.rule.purposes, expiresAt: expiry(state.rule.expired, state.rule.minutes) } : null,
    grants: state.grants.map((grant, index) => ({
      id: `grant-${index}`,
      tier: grant.tier,
      purpose: grant.purpose,
      caseReference: grant.caseReference,
      expiresAt: expiry(grant.expired, grant.minutes),
      revokedAt: grant.revoked ? new Date(now) : null,
    })),
  };
};

describe('the tier the read statement decides in SQL', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let ids: string[];
  const records = 8;

  beforeAll(async () => {
    database = await createTestDatabase('releasedtier');
    prisma = createPrismaClient({ databaseUrl: database.url });
    await seedDemoData(prisma, 'XK', { synthetic: records });
    await registerAgencies(prisma, ['XK', 'MK', 'AL']);
    ids = (await prisma.alert.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' }, take: records })).map((alert) => alert.id);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.[Symbol.asyncDispose]();
  });

  it('is decideAccess\u2019s tier, and the row holds nothing above it', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordStateArbitrary, { minLength: records, maxLength: records }),
        callerArbitrary,
        fc.constantFrom('MK', 'AL'),
        async (states, generated, partner) => {
          const now = Date.now();
          for (const [index, state] of states.entries()) await writeRecordState(prisma, ids[index]!, partner, state, now);
          const agency = generated.domestic ? 'XK' : partner;
          const caller: Officer = { sub: `${agency}.property`, agency, unit: `${agency}-DUTY`, roles: generated.roles, issuer: 'test' };
          const purpose = { code: generated.purpose, caseReference: generated.caseReference };
          const rows = await loadAlertRows(prisma, { caller, owner: 'XK', purpose, now: new Date(now) }, ids);
          expect(rows.map((row) => row.id)).toEqual(ids);
          for (const [index, row] of rows.entries()) {
            const tier = decideAccess(caller, purpose, stateFacts(states[index]!, now), new Date(now)).tier;
            seen.add(tier);
            expect(row.releasedTier, JSON.stringify({ state: states[index], caller, purpose })).toBe(tier);
            if (tierRank(tier) < tierRank('SUMMARY')) expect(row.firearms.length + row.ammunition.length + row.explosives.length + row.components.length).toBe(0);
            if (tierRank(tier) < tierRank('FULL')) expect(row.subjects.length + row.vehicles.length).toBe(0);
          }
        },
      ),
      { seed: 20261205, numRuns: 120 },
    );
    // The generated states reach every tier.
    expect([...seen].sort()).toEqual(['FULL', 'HIT', 'NONE', 'SUMMARY']);
  }, 300_000);
});
