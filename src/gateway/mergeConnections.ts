import { invalidCursor } from '../domain/cursor.ts';
import { AgencyUnavailableError } from './nodeClient.ts';
import type { NodePage } from './nodeOperations.ts';

/**
 * Where each agency's feed stands: its own node cursor, whether it is
 * exhausted, and its count as it last answered, when a page of this paging
 * selected `totalCount` (a node counts only when asked: a second query under
 * the consent filter). An exhausted agency is not asked for rows again, so its
 * count travels in the cursor, or the merged total would shrink on the pages
 * after it ran out; one whose count no page asked for is asked for it alone
 * when a later page selects `totalCount`.
 */
type MergeState = Record<string, { after: string | null; done: boolean; total?: number }>;

function encodeState(state: MergeState): string {
  return Buffer.from(JSON.stringify({ v: 2, s: state })).toString('base64url');
}

/**
 * The state a merged cursor carries, or VALIDATION_FAILED: only agencies the
 * list asks (a cursor is for the query that issued it), each with a node
 * cursor that is a string (the node checks its own cursors, which are opaque
 * here: an agency's own system may write them its way).
 */
function decodeState(cursor: string, agencies: readonly string[]): MergeState {
  let parsed: { v?: unknown; s?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; s?: unknown };
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.v !== 2 || typeof parsed.s !== 'object' || parsed.s === null || Array.isArray(parsed.s)) {
    throw invalidCursor();
  }
  const state = parsed.s as MergeState;
  for (const [agency, entry] of Object.entries(state)) {
    if (
      !agencies.includes(agency) ||
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.done !== 'boolean' ||
      (entry.after !== null && (typeof entry.after !== 'string' || entry.after.length === 0)) ||
      (entry.total !== undefined && (!Number.isSafeInteger(entry.total) || entry.total < 0))
    ) {
      throw invalidCursor();
    }
  }
  return state;
}

/**
 * The global order of merged feeds: newest first, ties broken by agency,
 * then by the node's own order (id descending), which it must agree with.
 */
export function newestFirst<T extends { createdAt: Date | string; id: string }>(a: { agency: string; node: T }, b: { agency: string; node: T }) {
  const byTime = new Date(b.node.createdAt).getTime() - new Date(a.node.createdAt).getTime();
  if (byTime !== 0) return byTime;
  if (a.agency !== b.agency) return a.agency < b.agency ? -1 : 1;
  return a.node.id < b.node.id ? 1 : a.node.id > b.node.id ? -1 : 0;
}

/** Order of consent requests: the oldest deadline first, as every node lists them. */
export function soonestDueFirst<T extends { dueAt: Date | string; id: string }>(a: { agency: string; node: T }, b: { agency: string; node: T }) {
  const byDeadline = new Date(a.node.dueAt).getTime() - new Date(b.node.dueAt).getTime();
  if (byDeadline !== 0) return byDeadline;
  if (a.agency !== b.agency) return a.agency < b.agency ? -1 : 1;
  return a.node.id < b.node.id ? -1 : a.node.id > b.node.id ? 1 : 0;
}

export interface MergedConnection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /**
   * The sum of every agency's count, as each last answered during this paging (this page or an earlier one);
   * null when the page was asked for without it (FanOutOptions.count).
   */
  totalCount: number | null;
  /** Agencies whose node did not answer; their records are missing from this page and will come on later pages. */
  unavailableAgencies: string[];
  /** One error per unavailable agency, for the response's `errors`. */
  unavailable: AgencyUnavailableError[];
}

export interface FanOutOptions<T> {
  agencies: readonly string[];
  first: number;
  after: string | null;
  /** Whether the client selected `totalCount`: the nodes are asked to count only then. Default true. */
  count?: boolean;
  /** A node's page; its `totalCount` only when `count` (null or absent otherwise). */
  fetchPage(agency: string, first: number, after: string | null, count: boolean): Promise<NodePage<T>>;
  /** The global order; must agree with each node's own order within an agency. */
  compare(a: { agency: string; node: T }, b: { agency: string; node: T }): number;
}

/**
 * Merges forward pages of the same list from several agency nodes into one
 * Relay connection. The gateway cursor carries each agency's own node cursor,
 * so paging on never skips or repeats a record, even across pages on which an
 * agency was unavailable: its position simply did not move.
 *
 * Each agency is asked for `first` rows: the page may be filled by one agency
 * alone, and asking fewer (first / agencies, topped up on demand) would cost a
 * second round trip whenever the newest records are unevenly spread, which is
 * the common case. The rows not taken carry only the client's selection.
 *
 * Counting is the nodes' second query: they are asked for it only for a page
 * that selects `totalCount`, and then the total is right on that page (last
 * page included) as if every page had asked: an exhausted agency's count comes
 * from the cursor, or, when no earlier page counted it, from a request for its
 * count alone.
 */
export async function fanOutConnection<T>(options: FanOutOptions<T>): Promise<MergedConnection<T>> {
  const count = options.count ?? true;
  const start = options.after ? decodeState(options.after, options.agencies) : {};
  const countOnly = (agency: string) => start[agency]?.done === true;
  // Every agency still paging, and, for a counted page, an exhausted one whose count no earlier page carried.
  const asked = options.agencies.filter((agency) => !countOnly(agency) || (count && start[agency]?.total === undefined));
  const settled = await Promise.allSettled(
    asked.map((agency) => options.fetchPage(agency, countOnly(agency) ? 1 : options.first, start[agency]?.after ?? null, count)),
  );

  const running: MergeState = { ...start };
  const unavailable: AgencyUnavailableError[] = [];
  const items: { agency: string; node: T; cursor: string; last: boolean; pageHasNext: boolean }[] = [];
  let anyMore = false;

  settled.forEach((result, index) => {
    const agency = asked[index]!;
    if (result.status === 'rejected') {
      if (result.reason instanceof AgencyUnavailableError) {
        unavailable.push(result.reason);
        if (!countOnly(agency)) anyMore = true;
        return;
      }
      throw result.reason;
    }
    const page = result.value;
    // Without a count asked for, the one an earlier page carried stays.
    const total = (count ? page.totalCount : null) ?? start[agency]?.total;
    const known = total === undefined ? {} : { total };
    // Asked for its count alone: its place in the feed stays where it ran out.
    if (countOnly(agency)) {
      running[agency] = { ...start[agency]!, ...known };
      return;
    }
    const after = start[agency]?.after ?? null;
    running[agency] = { after, done: page.edges.length === 0 && !page.pageInfo.hasNextPage, ...known };
    if (page.pageInfo.hasNextPage) anyMore = true;
    page.edges.forEach((edge, position) => {
      items.push({
        agency,
        node: edge.node,
        cursor: edge.cursor,
        last: position === page.edges.length - 1,
        pageHasNext: page.pageInfo.hasNextPage,
      });
    });
  });

  items.sort(options.compare);
  const taken = items.slice(0, options.first);
  if (items.length > taken.length) anyMore = true;

  const edges = taken.map((item) => {
    running[item.agency] = { ...running[item.agency]!, after: item.cursor, done: item.last && !item.pageHasNext };
    return { cursor: encodeState(running), node: item.node };
  });
  const endCursor = edges.at(-1)?.cursor ?? encodeState(running);

  return {
    edges,
    pageInfo: {
      hasNextPage: anyMore,
      hasPreviousPage: options.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor,
    },
    totalCount: count ? options.agencies.reduce((sum, agency) => sum + (running[agency]?.total ?? 0), 0) : null,
    unavailableAgencies: unavailable.map((error) => error.agency),
    unavailable,
  };
}
