import type { ExchangeAgreement } from '../consent/agreement.ts';
import type { DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import type { Officer } from '../identity/officer.ts';
import { assertStatisticsCaller, type StatisticsRequest } from './statisticsTable.ts';
import { periodName, periodsOf, type TimeGrid } from './timeGrid.ts';

/** Whose data a joint table holds: every party of the operations it counts, none alone. */
export const jointAgency = 'JOINT';

/** One period of the arrests table: released, or suppressed with no number. Periods with no arrest are not listed. */
export interface JointArrestsCell {
  period: string;
  suppressed: boolean;
  personsArrested: number | null;
}

/** Persons arrested in the joint operations of the caller's agency, per period, as released to the caller. */
export interface JointArrestsTable {
  /** Always JOINT: the operations' parties' data together. */
  agency: typeof jointAgency;
  /** The agency whose operations are counted: the caller's. */
  party: string;
  grid: TimeGrid;
  periods: string[];
  /** Always true: joint data are never one party's own to see whole. */
  protected: true;
  minimumCellSize: number;
  cells: JointArrestsCell[];
  suppressedCells: number;
}

/**
 * What a period of the arrests table releases, from each operation's share of
 * it (persons, above 0): their sum when every share is at least the minimum,
 * else null (suppressed). Then whatever operations a caller knows the arrests
 * of, the rest sums to 0 or at least the minimum.
 */
export function releasedArrests(shares: readonly number[], minimum: number): number | null {
  return shares.every((persons) => persons >= minimum) ? shares.reduce((sum, persons) => sum + persons, 0) : null;
}

/**
 * The arrests table of the caller's agency, or null when the agreement does
 * not list PERSONS_ARRESTED among its measures. Read from the rollup
 * hub.stat_arrest (migration 0013), one row per operation and period.
 *
 * A joint operation's data belong to all its parties, so no caller sees them
 * whole: the same disclosure control as a partner's table applies, to the
 * operations of which the caller's agency is a party. A period is released
 * only if every operation's share of it is at least the minimum: a member of
 * an operation knows its arrests and their dates from the timeline, and
 * subtracting what it knows from a released total must never leave a small
 * count of another operation (the secondary suppression of this table; there
 * are no margins, periods are never added up).
 */
export async function jointArrestsTable(
  prisma: HubPrismaClient,
  caller: Pick<Officer, 'agency' | 'roles'>,
  purpose: DeclaredPurpose,
  request: Pick<StatisticsRequest, 'from' | 'to'>,
  agreement: ExchangeAgreement,
  now = new Date(),
): Promise<JointArrestsTable | null> {
  const terms = agreement.statistics;
  assertStatisticsCaller(caller, purpose, agreement, false);
  if (!terms.measures.includes('PERSONS_ARRESTED')) return null;
  const periods = periodsOf(terms.timeGrid, request.from, request.to, terms.maxPeriods, now);
  const rows = await prisma.statArrest.findMany({
    where: { agency: caller.agency, grid: terms.timeGrid, period: { in: periods } },
    select: { period: true, persons: true },
  });
  const byPeriod = new Map<number, number[]>();
  for (const row of rows) byPeriod.set(row.period.getTime(), [...(byPeriod.get(row.period.getTime()) ?? []), row.persons]);
  const cells: JointArrestsCell[] = [];
  for (const start of periods) {
    const shares = byPeriod.get(start.getTime());
    if (!shares?.length) continue;
    const personsArrested = releasedArrests(shares, terms.minimumCellSize);
    cells.push({ period: periodName(terms.timeGrid, start), suppressed: personsArrested === null, personsArrested });
  }
  return {
    agency: jointAgency,
    party: caller.agency,
    grid: terms.timeGrid,
    periods: periods.map((start) => periodName(terms.timeGrid, start)),
    protected: true,
    minimumCellSize: terms.minimumCellSize,
    cells,
    suppressedCells: cells.filter((cell) => cell.suppressed).length,
  };
}
