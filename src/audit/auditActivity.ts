import type { AuditDatabase } from './auditDatabase.ts';
import { auditScopeAgency } from './auditQueries.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { Officer } from '../identity/officer.ts';

/** The node contract's hit/no-hit search as the gateway sends it (searchOperation.ts): one entry per search in each node's log. */
export const searchOperationName = 'query Search';
/**
 * A watch entry's registration as the gateway sends it to every node
 * (nodeOperations.createWatchEntry): a standing search, matched at once
 * against every record of the node, so it counts as a search.
 */
export const watchEntryOperationName = 'mutation CreateWatchEntry';

/** How far above the usual an officer's searches must be to be called unusual: median + k × MAD. */
export const unusualSearchK = 3;

/** The longest period one activity query covers, and the period when none is given. */
export const maxActivityDays = 366;
export const defaultActivityDays = 30;

const dayMs = 86_400_000;

export interface DailyCount {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  key: string;
  count: number;
}

export interface OfficerSearches {
  actorSub: string;
  actorAgency: string | null;
  actorUnit: string | null;
  count: number;
  unusual: boolean;
}

export interface SearchActivity {
  median: number;
  mad: number;
  k: number;
  threshold: number;
  officers: OfficerSearches[];
}

export interface AuditActivity {
  party: string;
  from: Date;
  to: Date;
  accessesByPurpose: DailyCount[];
  accessesByUnit: DailyCount[];
  denials: DailyCount[];
  /** Null for the gateway's log: its entries name the client's operation, not the fields it ran. */
  searches: SearchActivity | null;
}

/** The period of an activity query: from < to, at most {@link maxActivityDays} days; by default the last {@link defaultActivityDays}. */
export function activityPeriod(from: Date | null | undefined, to: Date | null | undefined, now = new Date()): { from: Date; to: Date } {
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - defaultActivityDays * dayMs);
  if (start.getTime() >= end.getTime()) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: from must be before to.', { issues: [{ path: 'from', message: 'must be before to' }] });
  }
  if (end.getTime() - start.getTime() > maxActivityDays * dayMs) {
    throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: the period may cover at most ${maxActivityDays} days.`, {
      issues: [{ path: 'to', message: `must be at most ${maxActivityDays} days after from` }],
    });
  }
  return { from: start, to: end };
}

const median = (sorted: readonly number[]) => {
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * Which counts stand out: above median + k × MAD (the median absolute
 * deviation), a measure that a few fishing officers cannot drag up as they
 * would a mean and standard deviation. The MAD is taken as at least 1, so
 * that where nearly everyone searched equally often, one more search is not
 * yet unusual.
 */
export function unusualThreshold(counts: readonly number[], k = unusualSearchK): { median: number; mad: number; threshold: number } {
  const sorted = [...counts].sort((a, b) => a - b);
  const m = median(sorted);
  const mad = median(sorted.map((count) => Math.abs(count - m)).sort((a, b) => a - b));
  return { median: m, mad, threshold: m + k * Math.max(mad, 1) };
}

/** Counts summed per day and one of their keys, in order of day, then key. */
function sumByDay<K extends string>(rows: readonly (Record<K, string> & { day: string; count: number })[], key: K): DailyCount[] {
  const sums = new Map<string, DailyCount>();
  for (const row of rows) {
    const id = `${row.day} ${row[key]}`;
    const sum = sums.get(id) ?? { day: row.day, key: row[key], count: 0 };
    sum.count += row.count;
    sums.set(id, sum);
  }
  return [...sums.values()].sort((a, b) => a.day.localeCompare(b.day) || a.key.localeCompare(b.key));
}

/**
 * What a party's log says of the period in aggregate, computed in SQL over
 * the entries the reader may read ({@link auditScopeAgency}: the scope
 * auditEntries applies, so each count can be listed there with the same
 * filter; the counts do not add up to its totalCount: changes, erasures
 * and entries that ended in ERROR are counted nowhere here): accesses
 * (CONSULTATION and DISCLOSURE entries that released something: OK,
 * PARTIAL) per UTC day by purpose and by unit, denials (outcome DENIED, any kind) per day by error code, and
 * each officer's hit/no-hit searches (watch entries registered included) with the unusual ones marked (at a node
 * only, see {@link searchOperationName}).
 */
export async function auditActivity(
  prisma: AuditDatabase,
  reader: Officer,
  party: string,
  period: { from: Date; to: Date },
  isNode: boolean,
): Promise<AuditActivity> {
  const agency = auditScopeAgency(reader, party);
  const { from, to } = period;
  // Accesses by day, purpose and unit in one pass, summed here per purpose and per unit:
  // at most days × purposes × units rows.
  const [accesses, denials, searches] = await Promise.all([
    prisma.$queryRaw<{ day: string; purpose: string; unit: string; count: number }[]>`
      select to_char(at at time zone 'UTC', 'YYYY-MM-DD') as day, coalesce(purpose, '(none)') as purpose,
             coalesce(actor_unit, '(none)') as unit, count(*)::int as count
      from audit.entry
      where at >= ${from} and at < ${to} and (${agency}::text is null or actor_agency = ${agency})
        and kind in ('CONSULTATION', 'DISCLOSURE') and outcome in ('OK', 'PARTIAL')
      group by 1, 2, 3`,
    prisma.$queryRaw<DailyCount[]>`
      select to_char(at at time zone 'UTC', 'YYYY-MM-DD') as day, coalesce(error_code, 'DENIED') as key, count(*)::int as count
      from audit.entry
      where at >= ${from} and at < ${to} and (${agency}::text is null or actor_agency = ${agency})
        and outcome = 'DENIED'
      group by 1, 2 order by 1, 2`,
    isNode
      ? prisma.$queryRaw<Omit<OfficerSearches, 'unusual'>[]>`
          select actor_sub as "actorSub", max(actor_agency) as "actorAgency", max(actor_unit) as "actorUnit", count(*)::int as count
          from audit.entry
          where at >= ${from} and at < ${to} and (${agency}::text is null or actor_agency = ${agency})
            and operation in (${searchOperationName}, ${watchEntryOperationName}) and actor_sub is not null
          group by actor_sub order by count desc, actor_sub`
      : Promise.resolve(null),
  ]);
  let searchActivity: SearchActivity | null = null;
  if (searches) {
    const { median: m, mad, threshold } = unusualThreshold(searches.map((officer) => officer.count));
    searchActivity = { median: m, mad, k: unusualSearchK, threshold, officers: searches.map((officer) => ({ ...officer, unusual: officer.count > threshold })) };
  }
  return {
    party,
    from,
    to,
    accessesByPurpose: sumByDay(accesses, 'purpose'),
    accessesByUnit: sumByDay(accesses, 'unit'),
    denials,
    searches: searchActivity,
  };
}
