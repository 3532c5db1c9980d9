import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fanOutConnection, type MergedConnection } from '../src/gateway/mergeConnections.ts';
import { AgencyUnavailableError } from '../src/gateway/nodeClient.ts';
import type { NodePage } from '../src/gateway/nodeOperations.ts';

interface Item {
  id: string;
  at: number;
}

/** An agency feed as a node serves it: newest first, keyset cursors, forward pages. */
function nodeFeed(items: Item[]) {
  const sorted = [...items].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  return (first: number, after: string | null, count = true): NodePage<Item> => {
    const start = after === null ? 0 : sorted.findIndex((item) => item.id === after) + 1;
    const page = sorted.slice(start, start + first);
    return {
      edges: page.map((item) => ({ cursor: item.id, node: item })),
      pageInfo: { hasNextPage: start + first < sorted.length, endCursor: page.at(-1)?.id ?? null },
      ...(count ? { totalCount: sorted.length } : {}),
    };
  };
}

const compare = (a: { agency: string; node: Item }, b: { agency: string; node: Item }) =>
  b.node.at - a.node.at || (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : a.node.id < b.node.id ? 1 : -1);

describe('merged pagination across agencies', () => {
  it('never repeats or skips a record, whatever the feeds, page sizes and outages (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 25 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
        // Whether each page selects totalCount.
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        async (timestampsPerAgency, first, outages, counts) => {
          const agencies = timestampsPerAgency.map((_, index) => `A${String.fromCharCode(65 + index)}`);
          const feeds = new Map(
            agencies.map((agency, index) => [
              agency,
              nodeFeed(timestampsPerAgency[index]!.map((at, position) => ({ id: `${agency}-${String(position).padStart(3, '0')}`, at }))),
            ]),
          );
          const seen: string[] = [];
          const totals: number[] = [];
          let after: string | null = null;
          let call = 0;
          for (let page = 0; page < 200; page++) {
            const count = counts[page % counts.length]!;
            const merged: MergedConnection<Item> = await fanOutConnection<Item>({
              agencies,
              first,
              after,
              compare,
              count,
              fetchPage: async (agency, size, cursor, withCount) => {
                // Only a page that selects totalCount asks a node to count.
                expect(withCount).toBe(count);
                // Outages come and go between pages, but every agency answers eventually.
                if (outages[call++ % outages.length] && page % 3 !== 2) throw new AgencyUnavailableError(agency, 'test outage');
                return feeds.get(agency)!(size, cursor, withCount);
              },
            });
            seen.push(...merged.edges.map((edge) => edge.node.id));
            if (!count) expect(merged.totalCount).toBeNull();
            else if (merged.unavailableAgencies.length === 0) totals.push(merged.totalCount!);
            if (!merged.pageInfo.hasNextPage) break;
            after = merged.pageInfo.endCursor;
          }
          const all = timestampsPerAgency.flatMap((list, index) => list.map((_, position) => `${agencies[index]}-${String(position).padStart(3, '0')}`));
          expect(seen.length).toBe(new Set(seen).size);
          expect(new Set(seen)).toEqual(new Set(all));
          // Whenever every agency has answered a page that selects it, the total is all of them, on the last page as on
          // the first, whether earlier pages selected it or not.
          expect(new Set(totals)).toEqual(new Set(totals.length ? [all.length] : []));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('orders a page exactly as the global order says when every agency answers', async () => {
    const feeds = { XK: nodeFeed([{ id: 'x1', at: 5 }, { id: 'x2', at: 3 }]), MK: nodeFeed([{ id: 'm1', at: 4 }, { id: 'm2', at: 3 }]) };
    const merged = await fanOutConnection<Item>({
      agencies: ['XK', 'MK'],
      first: 10,
      after: null,
      compare,
      fetchPage: async (agency, size, cursor) => feeds[agency as 'XK' | 'MK'](size, cursor),
    });
    expect(merged.edges.map((edge) => edge.node.id)).toEqual(['x1', 'm1', 'm2', 'x2']);
    expect(merged.totalCount).toBe(4);
    expect(merged.pageInfo.hasNextPage).toBe(false);
  });

  it('keeps the total of an agency whose feed ran out on an earlier page', async () => {
    const feeds = { XK: nodeFeed([{ id: 'x1', at: 9 }]), MK: nodeFeed([1, 2, 3, 4].map((at) => ({ id: `m${at}`, at }))) };
    const pages: { ids: string[]; totalCount: number | null }[] = [];
    let after: string | null = null;
    do {
      const merged: MergedConnection<Item> = await fanOutConnection<Item>({
        agencies: ['XK', 'MK'],
        first: 2,
        after,
        compare,
        fetchPage: async (agency, size, cursor) => feeds[agency as 'XK' | 'MK'](size, cursor),
      });
      pages.push({ ids: merged.edges.map((edge) => edge.node.id), totalCount: merged.totalCount });
      after = merged.pageInfo.hasNextPage ? merged.pageInfo.endCursor : null;
    } while (after);
    expect(pages).toEqual([
      { ids: ['x1', 'm4'], totalCount: 5 },
      { ids: ['m3', 'm2'], totalCount: 5 },
      { ids: ['m1'], totalCount: 5 },
    ]);
  });

  it('refuses a cursor it did not make', async () => {
    await expect(
      fanOutConnection<Item>({ agencies: ['XK'], first: 1, after: 'bm90IGEgY3Vyc29y', compare, fetchPage: async () => nodeFeed([])(1, null) }),
    ).rejects.toMatchObject({ extensions: { code: 'VALIDATION_FAILED' } });
  });
});
