// The merged alerts' totalCount over two real nodes, each behind a recording
// proxy (test/nodeProxy.ts) that keeps what the gateway asked and what the
// node answered. A node counts (a second query under its consent filter) only
// when its page selects totalCount (test/alertCount.test.ts), so an answer
// carrying totalCount is one count query run. The gateway asks for it only for
// a page whose client selected totalCount, and that total is the number of
// alerts the paging yields, on every page, the last included, whether or not
// earlier pages counted.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRow } from './fixtures.ts';
import { startTestHub, type TestHub } from './helpers.ts';
import { startNodeProxy, type NodeProxy } from './nodeProxy.ts';

let hub: TestHub;
const proxies = new Map<string, NodeProxy>();

const pageQuery = /* GraphQL */ `
  query Page($after: String, $count: Boolean!) {
    alerts(first: 3, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count) }
  }
`;

interface AlertsCall {
  agency: string;
  first: number;
  /** The node's answer carried totalCount: it ran its count query. */
  counted: boolean;
}

/** The alerts pages the gateway asked each node for since `mark`, with whether the node counted. */
function alertsCalls(mark: Map<string, number>): AlertsCall[] {
  return [...proxies].flatMap(([agency, proxy]) =>
    proxy.calls.slice(mark.get(agency) ?? 0).flatMap((call) => {
      const { query, variables } = JSON.parse(call.body) as { query: string; variables: { first: number } };
      if (!/query Alerts\b/.test(query)) return [];
      const answer = JSON.parse(call.answer ?? '{}') as { data?: { alerts?: { totalCount?: number } } };
      return [{ agency, first: variables.first, counted: answer.data?.alerts?.totalCount !== undefined }];
    }),
  );
}

const mark = () => new Map([...proxies].map(([agency, proxy]) => [agency, proxy.calls.length]));

/** One page as the XK border officer, and the node calls it made. */
async function page(after: string | null, count: boolean) {
  const before = mark();
  const result = await hub.query<{ alerts: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount?: number } }>(
    'xk-border-officer',
    pageQuery,
    { after, count },
  );
  expect(result.errors).toBeUndefined();
  return { alerts: result.data!.alerts, calls: alertsCalls(before) };
}

/** Every page from the first, `count` deciding for each page (by its index) whether it selects totalCount. */
async function walk(count: (index: number) => boolean) {
  const pages: (Awaited<ReturnType<typeof page>> & { after: string | null })[] = [];
  let after: string | null = null;
  do {
    const next = await page(after, count(pages.length));
    pages.push({ ...next, after });
    after = next.alerts.pageInfo.hasNextPage ? next.alerts.pageInfo.endCursor : null;
  } while (after !== null && pages.length < 20);
  return pages;
}

beforeAll(async () => {
  hub = await startTestHub({
    routeNode: async (agency, url) => {
      const proxy = await startNodeProxy(url);
      proxies.set(agency, proxy);
      return proxy.url;
    },
  });
  // Seven XK alerts a minute apart; two MK alerts among the newest, so that MK's feed runs out on the first page.
  const now = Date.now();
  const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000);
  await hub.nodes.get('XK')!.prisma.alert.createMany({
    data: [1, 2, 3, 4, 5, 6, 7].map((minutes) => alertRow({ id: randomUUID(), reference: `XK-COUNT-${minutes}`, createdAt: minutesAgo(minutes) })),
  });
  await hub.nodes.get('MK')!.prisma.alert.createMany({
    data: [0.5, 1.5].map((minutes) => alertRow({ id: randomUUID(), reference: `MK-COUNT-${minutes}`, createdAt: minutesAgo(minutes), unitCode: 'MK-BP-BLACE' })),
  });
});

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
  for (const proxy of proxies.values()) await proxy[Symbol.asyncDispose]();
});

describe('the merged totalCount', () => {
  it('asks no node to count for pages that do not select it', async () => {
    const pages = await walk(() => false);
    const calls = pages.flatMap((each) => each.calls);
    expect(calls.length).toBeGreaterThan(pages.length);
    expect(calls.filter((call) => call.counted)).toEqual([]);
    expect(pages.every((each) => each.alerts.totalCount === undefined)).toBe(true);
  });

  it('is the number of alerts paged on every page that selects it, the last included, however earlier pages asked', async () => {
    const uncounted = await walk(() => false);
    const paged = uncounted.flatMap((each) => each.alerts.edges.map((edge) => edge.node.id));
    expect(new Set(paged).size).toBe(paged.length);
    expect(paged.length).toBeGreaterThanOrEqual(7);
    expect(uncounted.length).toBeGreaterThanOrEqual(3);

    // From cursors that carry no count: an agency that ran out is asked for its count alone (one row), once per page.
    for (const { after } of uncounted) {
      const counted = await page(after, true);
      expect(counted.alerts.totalCount).toBe(paged.length);
      expect(counted.calls.every((call) => call.counted)).toBe(true);
      expect(new Set(counted.calls.map((call) => call.agency)).size).toBe(counted.calls.length);
    }
    const last = await page(uncounted.at(-1)!.after, true);
    expect(last.alerts.pageInfo.hasNextPage).toBe(false);
    expect(last.calls).toContainEqual({ agency: 'MK', first: 1, counted: true });

    // Counted from the first page on: the count of the agency that ran out travels in the cursor, and it is not asked again.
    const counted = await walk(() => true);
    expect(counted.map((each) => each.alerts.totalCount)).toEqual(counted.map(() => paged.length));
    expect(counted.flatMap((each) => each.alerts.edges.map((edge) => edge.node.id))).toEqual(paged);
    expect(counted.slice(1).flatMap((each) => each.calls.map((call) => call.agency))).not.toContain('MK');
  });
});
