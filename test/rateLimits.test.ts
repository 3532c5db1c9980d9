import { createYoga, createSchema } from 'graphql-yoga';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../src/gateway/createGateway.ts';
import { toGlobalId } from '../src/gateway/globalId.ts';
import { useRateLimits } from '../src/gateway/useRateLimits.ts';
import type { Officer } from '../src/identity/officer.ts';
import { adminQuery, codes, createTestDatabase, graphql, openSocket, startTestHub, type TestHub } from './helpers.ts';
import { templateDatabases } from './globalSetup.ts';

// Rate limits just under and just over, per officer and per unit, on every
// operation and separately on searches; counters in the hub database, so a
// second gateway process sees the same budget.

const limits = { operationsPerOfficer: 8, operationsPerUnit: 1_000, searchesPerOfficer: 3, searchesPerUnit: 5 };
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ rateLimits: limits });
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const search = `query($plate: String!) { search(input: { plate: $plate }) { outcome } }`;
const twoSearches = `query { a: search(input: { plate: "01-234-AB" }) { outcome } b: search(input: { plate: "02-345-CD" }) { outcome } }`;
const officer = (sub: string, unit = 'MK-BP-BLACE') => hub.token({ sub, agency: 'MK', unit, roles: ['officer'] });

async function expectLimited(result: Awaited<ReturnType<typeof graphql>>) {
  expect(result.status).toBe(429);
  expect(codes(result)).toEqual(['RATE_LIMITED']);
  expect(result.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(result.data ?? null).toBeNull();
}

describe('rate limits', () => {
  it('let an officer search up to the limit, counting every search of a document, and refuse the next with a retry time', async () => {
    const token = await officer('mk.searcher');
    expect(codes(await graphql(hub.gatewayUrl, search, { plate: '01-234-AB' }, { token }))).toEqual([]);
    // Two aliased searches are two: that makes three, the limit.
    expect(codes(await graphql(hub.gatewayUrl, twoSearches, {}, { token }))).toEqual([]);
    await expectLimited(await graphql(hub.gatewayUrl, search, { plate: '03-456-EF' }, { token }));
    // Other operations have their own, larger budget.
    expect(codes(await graphql(hub.gatewayUrl, '{ viewer { sub } }', {}, { token }))).toEqual([]);
  });

  it('count each watch entry registered as a search, and refuse the one over the limit at every node', async () => {
    const token = await officer('mk.watcher', 'MK-BP-WATCH');
    const watch = `mutation($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`;
    const entry = (plate: string) => ({ input: { plate, plateCountry: 'XK', expiresAt: new Date(Date.now() + 86_400_000).toISOString() } });
    // A search and two watch entries are three, the limit.
    expect(codes(await graphql(hub.gatewayUrl, search, { plate: '01-234-AB' }, { token }))).toEqual([]);
    expect(codes(await graphql(hub.gatewayUrl, watch, entry('RL-WATCH-1'), { token }))).toEqual([]);
    expect(codes(await graphql(hub.gatewayUrl, watch, entry('RL-WATCH-2'), { token }))).toEqual([]);
    await expectLimited(await graphql(hub.gatewayUrl, watch, entry('RL-WATCH-3'), { token }));
    await expectLimited(await graphql(hub.gatewayUrl, search, { plate: '01-234-AB' }, { token }));
    for (const node of hub.nodes.values()) {
      const stored = await adminQuery(node.database.name, `select label from node.watch_entry where owner_unit = 'MK-BP-WATCH' order by label`);
      expect(stored.map((row) => row.label)).toEqual(['RL-WATCH-1 (XK)', 'RL-WATCH-2 (XK)']);
    }
  });

  it('count a unit\u2019s officers together', async () => {
    // searchesPerUnit is 5: two officers of one unit, three and three searches.
    const [first, second] = [await officer('mk.first', 'MK-CRIM'), await officer('mk.second', 'MK-CRIM')];
    for (const token of [first, first, first, second, second]) {
      expect(codes(await graphql(hub.gatewayUrl, search, { plate: '01-234-AB' }, { token }))).toEqual([]);
    }
    await expectLimited(await graphql(hub.gatewayUrl, search, { plate: '01-234-AB' }, { token: second }));
  });

  it('limit every operation per officer, and leave the refusal in the audit log', async () => {
    const token = await officer('mk.busy');
    for (let i = 0; i < limits.operationsPerOfficer; i++) {
      expect(codes(await graphql(hub.gatewayUrl, '{ viewer { sub } }', {}, { token }))).toEqual([]);
    }
    await expectLimited(await graphql(hub.gatewayUrl, '{ viewer { sub } }', {}, { token }));
    const [entry] = await adminQuery(hub.hubDatabase.name, `select outcome, error_code from audit.entry where actor_sub = 'mk.busy' order by seq desc limit 1`);
    expect(entry).toEqual({ outcome: 'DENIED', error_code: 'RATE_LIMITED' });
  });

  it('hold across gateway processes: the counters are in the hub database', async () => {
    const token = await officer('mk.two-gateways', 'MK-BP-TABANOVCE');
    await using second = createGateway({
      trustList: hub.trustList,
      databaseUrl: hub.hubDatabase.applicationUrl,
      nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])),
      signer: hub.keys.gateway,
      auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!,
      rateLimits: limits,
      graphiql: false,
    });
    const secondUrl = await second.start();
    for (const url of [hub.gatewayUrl, secondUrl, hub.gatewayUrl]) {
      expect(codes(await graphql(url, search, { plate: '01-234-AB' }, { token }))).toEqual([]);
    }
    await expectLimited(await graphql(secondUrl, search, { plate: '01-234-AB' }, { token }));
  });

  it('limit operations over graphql-ws the same way, per operation, keeping the socket', async () => {
    const token = await officer('mk.socket', 'MK-BP-KJAFASAN');
    await using socket = openSocket(hub.gatewayUrl, { authorization: `Bearer ${token}`, purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
    for (let i = 0; i < limits.searchesPerOfficer; i++) {
      expect(codes((await socket.run(search, { plate: '01-234-AB' })) as never)).toEqual([]);
    }
    const refused = await socket.run(search, { plate: '01-234-AB' });
    expect(codes(refused as never)).toEqual(['RATE_LIMITED']);
    expect(refused.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(codes((await socket.run('{ viewer { sub } }')) as never)).toEqual([]);
    expect(socket.connections()).toBe(1);
  });

  it('bound list sizes whether first is written in the document or sent in a variable, just under and just over', async () => {
    const token = await officer('mk.pager', 'MK-BP-DEBAR');
    const page = `query($first: Int) { alerts(first: $first) { totalCount } }`;
    expect(codes(await graphql(hub.gatewayUrl, page, { first: 100 }, { token }))).toEqual([]);
    expect(codes(await graphql(hub.gatewayUrl, page, { first: 101 }, { token }))).toEqual(['VALIDATION_FAILED']);
    expect(codes(await graphql(hub.gatewayUrl, '{ alerts(first: 101) { totalCount } }', {}, { token }))).toEqual(['VALIDATION_FAILED']);
    const ids = (count: number) => Array.from({ length: count }, (_, i) => toGlobalId('Alert', 'XK', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
    const nodes = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    expect(codes(await graphql(hub.gatewayUrl, nodes, { ids: ids(100) }, { token }))).not.toContain('VALIDATION_FAILED');
    expect(codes(await graphql(hub.gatewayUrl, nodes, { ids: ids(101) }, { token }))).toEqual(['VALIDATION_FAILED']);
  });
});

describe('rate limit counters', () => {
  // The plugin alone, in a Yoga server of its own over a real hub database, its pool's statements counted.
  const officer = (sub: string, unit: string): Officer => ({ sub, agency: 'MK', unit, roles: ['officer'], issuer: 'test' });
  async function limitedServer(statements: { count: number }, counterLimits: typeof limits) {
    const database = await createTestDatabase('ratelimit', templateDatabases.hub);
    const pool = new pg.Pool({ connectionString: database.applicationUrl, max: 4 });
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as unknown as { query: unknown }).query = (...args: unknown[]) => {
      statements.count += 1;
      return query(...args);
    };
    const yoga = createYoga<{ officer: Officer }>({
      schema: createSchema({ typeDefs: 'type Query { search: String viewer: String }', resolvers: { Query: { search: () => 'ok', viewer: () => 'ok' } } }),
      plugins: [useRateLimits({ pool, limits: counterLimits })],
      logging: false,
    });
    const run = async (who: Officer, query: string) => {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      }, { officer: who });
      return ((await response.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.map((error) => error.extensions?.code) ?? [];
    };
    return {
      run,
      database: database.name,
      [Symbol.asyncDispose]: async () => {
        await pool.end();
        await database[Symbol.asyncDispose]();
      },
    };
  }

  it('take one statement per operation, searches included', async () => {
    const statements = { count: 0 };
    await using server = await limitedServer(statements, limits);
    expect(await server.run(officer('mk.counted', 'MK-ONE'), '{ viewer }')).toEqual([]);
    expect(statements.count).toBe(1);
    expect(await server.run(officer('mk.counted', 'MK-ONE'), '{ a: search b: search }')).toEqual([]);
    expect(statements.count).toBe(2);
  });

  it('let exactly the limit through when a unit\u2019s officers run at once, and count no search of a refused operation', async () => {
    const statements = { count: 0 };
    await using server = await limitedServer(statements, { ...limits, operationsPerOfficer: 1_000, operationsPerUnit: 12, searchesPerUnit: 1_000, searchesPerOfficer: 1_000 });
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => server.run(officer(`mk.crowd-${i % 5}`, 'MK-CROWD'), '{ search }')));
    expect(outcomes.filter((errors) => errors.length === 0)).toHaveLength(12);
    expect(outcomes.filter((errors) => errors.join() === 'RATE_LIMITED')).toHaveLength(18);
    const rows = await adminQuery(server.database, `select key, points from hub.rate_limit where key like 'search-unit:%'`);
    expect(rows).toEqual([{ key: 'search-unit:MK:MK-CROWD', points: 12 }]);
  });
});
