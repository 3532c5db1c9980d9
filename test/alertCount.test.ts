import { buildSchema, graphql as execute, type GraphQLResolveInfo } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { seedDemoData } from '../src/demo/seedDemoData.ts';
import { selectsTotalCount } from '../src/domain/schema/pagination.ts';
import type { Officer } from '../src/identity/officer.ts';
import { agreement } from '../src/consent/agreement.ts';
import { listAlerts } from '../src/node/records/alertRecords.ts';
import { createTestDatabase, testPurpose, type TestDatabase } from './helpers.ts';

// Counting every alert a caller may see is a second query over the consent
// filter: a node runs it only when the client selected totalCount.

describe('selectsTotalCount', () => {
  const seen: boolean[] = [];
  // A function on the root value is called with (args, context, info).
  const alerts = (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
    seen.push(selectsTotalCount(info));
    return { totalCount: 1, edges: [] };
  };
  const schema = buildSchema(`
    type Query { alerts(first: Int): AlertConnection! }
    type AlertConnection { totalCount: Int! edges: [AlertEdge!]! }
    type AlertEdge { cursor: String! }
  `);
  const selects = async (document: string, variableValues: Record<string, unknown> = {}) => {
    seen.length = 0;
    const result = await execute({ schema, source: document, rootValue: { alerts }, variableValues });
    expect(result.errors).toBeUndefined();
    return seen;
  };

  it('is true wherever the client asks for it, false otherwise', async () => {
    expect(await selects('{ alerts { totalCount } }')).toEqual([true]);
    expect(await selects('{ alerts { edges { cursor } } }')).toEqual([false]);
    expect(await selects('{ alerts { ...Page } } fragment Page on AlertConnection { n: totalCount }')).toEqual([true]);
    expect(await selects('{ alerts { ... on AlertConnection { totalCount } } }')).toEqual([true]);
    expect(await selects('{ a: alerts { edges { cursor } } b: alerts { totalCount } }')).toEqual([false, true]);
    const conditional = 'query($count: Boolean!) { alerts { edges { cursor } totalCount @include(if: $count) } }';
    expect(await selects(conditional, { count: false })).toEqual([false]);
    expect(await selects(conditional, { count: true })).toEqual([true]);
    expect(await selects('{ alerts { totalCount @skip(if: true) edges { cursor } } }')).toEqual([false]);
  });
});

describe('listAlerts', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let counts = 0;
  const officer: Officer = { sub: 'xk-officer', agency: 'XK', unit: 'XK-BP', roles: ['officer'], issuer: 'test' };

  beforeAll(async () => {
    database = await createTestDatabase('alertcount');
    const plain = createPrismaClient({ databaseUrl: database.applicationUrl });
    await seedDemoData(plain, 'XK', { synthetic: 30 });
    // The real client, with every count it runs counted: the list's count is a part of the page's statement (loadAlertRows.ts).
    prisma = plain.$extends({
      query: {
        $queryRaw({ args, query }) {
          if (JSON.stringify(args).includes('select count(*) from node.alert')) counts += 1;
          return query(args);
        },
      },
    }) as unknown as PrismaClient;
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.[Symbol.asyncDispose]();
  });

  it('counts only when asked, with the same page either way', async () => {
    const access = { caller: officer, owner: 'XK', purpose: { code: testPurpose.purpose, caseReference: testPurpose.caseReference }, now: new Date(), agreement };
    counts = 0;
    const counted = await listAlerts(prisma, access, null, { first: 5 });
    expect(counts).toBe(1);
    expect(counted.totalCount).toBeGreaterThan(5);
    const uncounted = await listAlerts(prisma, access, null, { first: 5, count: false });
    expect(counts).toBe(1);
    expect(uncounted.totalCount).toBeNull();
    expect(uncounted.rows.map((row) => row.id)).toEqual(counted.rows.map((row) => row.id));
    expect(uncounted.cursors).toEqual(counted.cursors);
    expect(uncounted.hasNextPage).toBe(true);
  });
});
