import { purposeOf, roleCap, type ExchangeAgreement, type StatisticsTerms } from '../consent/agreement.ts';
import type { DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { PrismaClient } from '../database/createPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { Officer } from '../identity/officer.ts';
import { isNodeMeasure, statisticsDimensionNames, statisticsDimensions, statisticsMeasureNames, type StatisticsDimension, type StatisticsMeasure } from './dimensions.ts';
import { buildBlocks, suppressedCells, type Block } from './protectCells.ts';
import { periodName, periodsOf, type TimeGrid } from './timeGrid.ts';

/** The most cells (periods × combinations of the dimensions' values) one table may have. */
export const maxTableCells = 100_000;

export interface StatisticsRequest {
  dimensions: readonly StatisticsDimension[];
  /** First period (`2026-03`, `2026-W09`); default: 12 periods up to `to`. */
  from?: string | null;
  /** Last period; default the current one. */
  to?: string | null;
}

/** One cell of a table: its period, a value per dimension, and its measures (null when suppressed or not shared). */
export interface StatisticsCell {
  period: string;
  values: string[];
  suppressed: boolean;
  alerts: number | null;
  firearms: number | null;
  rounds: number | null;
  explosivesKg: number | null;
  threat: number | null;
  vulnerability: number | null;
  impact: number | null;
}

/** A table as released to one caller. Cells not listed hold no alert. */
export interface StatisticsTable {
  agency: string;
  grid: TimeGrid;
  periods: string[];
  dimensions: StatisticsDimension[];
  measures: StatisticsMeasure[];
  /** Whether disclosure control was applied (a partner's table), or the table is whole (the owner's own officers). */
  protected: boolean;
  minimumCellSize: number;
  countWithheld: boolean;
  cells: StatisticsCell[];
  suppressedCells: number;
}

/** A row of node.stat_cell: a finest cell, with the partners its alerts are withheld from. */
interface RollupRow {
  values: string[];
  withheldFrom: string[];
  alerts: number;
  firearms: number;
  rounds: number;
  explosivesKg: number;
  threat: number;
  vulnerability: number;
  impact: number;
}

interface PeriodEntry {
  version: string;
  rows: RollupRow[];
  /** Views (the owner's; a partner's by its terms) with their blocks, computed once per version. */
  views: Map<string, View>;
}

type Sums = Omit<RollupRow, 'values' | 'withheldFrom'>;

/** A view of a period: its finest cells over the dimensions it may be broken down by, and the blocks protecting them (none for the owner). */
interface View {
  cells: { values: string[]; sums: Sums }[];
  blocks: Block[];
}

// Rollup rows of each period as last read, per node database, with the version they were read at.
const caches = new WeakMap<PrismaClient, Map<string, PeriodEntry>>();

const columns = statisticsDimensionNames.map((name) => statisticsDimensions[name].column);

/**
 * The table a caller asked for, computed at the owner's node from the rollup
 * (node.stat_cell): whole for the owner's own officers; for a partner, over
 * the dimensions and measures the agreement shares, with the alerts the owner
 * withholds from it left out unless the agreement counts them, and every cell
 * the disclosure control (protectCells.ts) does not release suppressed.
 */
export async function statisticsTable(
  prisma: PrismaClient,
  owner: string,
  caller: Pick<Officer, 'agency' | 'roles'>,
  purpose: DeclaredPurpose,
  request: StatisticsRequest,
  agreement: ExchangeAgreement,
  now = new Date(),
): Promise<StatisticsTable> {
  const terms = agreement.statistics;
  const own = caller.agency === owner;
  assertMayAsk(caller, purpose, request, agreement, own);
  const grid = terms.timeGrid;
  const periods = periodsOf(grid, request.from, request.to, terms.maxPeriods, now);
  const dimensions = [...request.dimensions];
  const size = periods.length * dimensions.reduce((product, name) => product * statisticsDimensions[name].values.length, 1);
  if (size > maxTableCells) {
    throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: the table would have ${size} cells, at most ${maxTableCells}: ask for fewer dimensions or periods.`, {
      issues: [{ path: ['input', 'dimensions'], message: `give a table of at most ${maxTableCells} cells` }],
    });
  }
  const entries = await readPeriods(prisma, grid, periods);
  // The owner's officers break their own statistics down by any dimension; a partner by the agreement's.
  const shared = own ? statisticsDimensionNames : terms.dimensions;
  const measures = own ? [...statisticsMeasureNames] : terms.measures.filter(isNodeMeasure);
  const picked = dimensions.map((name) => shared.indexOf(name));
  const cells: StatisticsCell[] = [];
  let suppressedCount = 0;
  periods.forEach((start, index) => {
    const entry = entries[index]!;
    const period = periodName(grid, start);
    const view = viewOf(entry, shared, own ? null : caller.agency, terms);
    const table = new Map<string, { values: string[]; sums: Sums }>();
    for (const { values, sums } of view.cells) {
      const picks = picked.map((at) => values[at]!);
      const pickedKey = picks.join('\u0000');
      const cell = table.get(pickedKey) ?? { values: picks, sums: emptySums() };
      addSums(cell.sums, sums);
      table.set(pickedKey, cell);
    }
    const counts = new Map([...table].map(([key, cell]) => [key, cell.sums.alerts]));
    const suppressed = own ? new Set<string>() : suppressedCells(view.blocks, picked, counts, terms.minimumCellSize);
    for (const key of [...suppressed].sort()) {
      suppressedCount += 1;
      cells.push({ period, values: key === '' && picked.length === 0 ? [] : key.split('\u0000'), suppressed: true, ...noMeasures });
    }
    for (const [key, cell] of [...table].sort(([a], [b]) => a.localeCompare(b))) {
      if (suppressed.has(key) || cell.sums.alerts === 0) continue;
      cells.push({ period, values: cell.values, suppressed: false, ...released(cell.sums, measures) });
    }
  });
  return {
    agency: owner,
    grid,
    periods: periods.map((start) => periodName(grid, start)),
    dimensions,
    measures,
    protected: !own,
    minimumCellSize: terms.minimumCellSize,
    countWithheld: terms.countWithheld,
    cells,
    suppressedCells: suppressedCount,
  };
}

/** Refuses a caller whose purpose, roles or agency the agreement releases no statistics to (`own`: the owner's own officers). */
export function assertStatisticsCaller(caller: Pick<Officer, 'agency' | 'roles'>, purpose: DeclaredPurpose, agreement: ExchangeAgreement, own: boolean) {
  const terms = agreement.statistics;
  if (!terms.purposes.includes(purpose.code) || !purposeOf(purpose.code, agreement)?.operational) {
    throw hubError(ErrorCode.PURPOSE_NOT_ALLOWED, `Statistics are released only for ${terms.purposes.join(', ')}; the request declares ${purpose.code}.`);
  }
  if (roleCap(caller.roles, agreement) === 'NONE') throw hubError(ErrorCode.FORBIDDEN, 'Your roles receive no operational data, statistics included.');
  if (!own && !agreement.parties.includes(caller.agency)) {
    throw hubError(ErrorCode.FORBIDDEN, `The agreement shares no statistics with ${caller.agency}.`);
  }
}

function assertMayAsk(caller: Pick<Officer, 'agency' | 'roles'>, purpose: DeclaredPurpose, request: StatisticsRequest, agreement: ExchangeAgreement, own: boolean) {
  const terms = agreement.statistics;
  assertStatisticsCaller(caller, purpose, agreement, own);
  const repeated = request.dimensions.filter((name, index) => request.dimensions.indexOf(name) !== index);
  if (repeated.length) {
    throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: input.dimensions names ${repeated[0]} twice`, {
      issues: [{ path: ['input', 'dimensions'], message: `names ${repeated[0]} twice` }],
    });
  }
  const unshared = own ? [] : request.dimensions.filter((name) => !terms.dimensions.includes(name));
  if (unshared.length) {
    throw hubError(ErrorCode.DIMENSION_NOT_SHARED, `The agreement does not share statistics by ${unshared.join(', ')} with partners; it shares ${terms.dimensions.join(', ') || 'no breakdown'}.`, {
      dimensions: unshared,
    });
  }
}

/** The rollup rows of the periods, from the cache where their version has not moved. */
async function readPeriods(prisma: PrismaClient, grid: TimeGrid, periods: readonly Date[]): Promise<PeriodEntry[]> {
  let cache = caches.get(prisma);
  if (!cache) caches.set(prisma, (cache = new Map()));
  const versions = await prisma.$queryRaw<{ period: Date; version: bigint }[]>`
    select period, version from node.stat_version where grid = ${grid} and period = any(${periods}::date[])`;
  const versionOf = new Map(versions.map((row) => [row.period.getTime(), String(row.version)]));
  const stale = periods.filter((start) => cache.get(`${grid} ${start.getTime()}`)?.version !== (versionOf.get(start.getTime()) ?? '0'));
  if (stale.length) {
    const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
      `select period, ${columns.join(', ')}, withheld_from, alerts, firearms, rounds::float8 as rounds, explosives_kg::float8 as explosives_kg,
              threat, vulnerability, impact
         from node.stat_cell where grid = $1 and period = any($2::date[]) and alerts > 0`,
      grid,
      stale,
    );
    const byPeriod = new Map<number, RollupRow[]>(stale.map((start) => [start.getTime(), []]));
    for (const row of rows) {
      byPeriod.get((row.period as Date).getTime())!.push({
        values: columns.map((column) => String(row[column])),
        withheldFrom: String(row.withheld_from).split(',').filter(Boolean),
        alerts: Number(row.alerts),
        firearms: Number(row.firearms),
        rounds: Number(row.rounds),
        explosivesKg: Number(row.explosives_kg),
        threat: Number(row.threat),
        vulnerability: Number(row.vulnerability),
        impact: Number(row.impact),
      });
    }
    // A version read before the rows: a change committed in between makes the next request read again.
    for (const start of stale) {
      cache.set(`${grid} ${start.getTime()}`, { version: versionOf.get(start.getTime()) ?? '0', rows: byPeriod.get(start.getTime())!, views: new Map() });
    }
  }
  return periods.map((start) => cache.get(`${grid} ${start.getTime()}`)!);
}

/** The finest cells over `dimensions` of the alerts a view counts (all of them, or those not withheld from `partner`). */
function fineCells(rows: readonly RollupRow[], dimensions: readonly StatisticsDimension[], partner: string | null, countWithheld: boolean): Map<string, Sums> {
  const at = dimensions.map((name) => statisticsDimensionNames.indexOf(name));
  const cells = new Map<string, Sums>();
  for (const row of rows) {
    if (!countWithheld && partner !== null && row.withheldFrom.includes(partner)) continue;
    const key = at.map((index) => row.values[index]!).join('\u0000');
    const sums = cells.get(key) ?? emptySums();
    addSums(sums, row);
    cells.set(key, sums);
  }
  return cells;
}

/** The owner's view of a period (partner null), or a partner's with its blocks, computed once per version of the period and terms. */
function viewOf(entry: PeriodEntry, dimensions: readonly StatisticsDimension[], partner: string | null, terms: StatisticsTerms): View {
  const key = JSON.stringify(partner === null ? [null] : [partner, dimensions, terms.minimumCellSize, terms.countWithheld]);
  let view = entry.views.get(key);
  if (!view) {
    const cells = [...fineCells(entry.rows, dimensions, partner, partner === null || terms.countWithheld)].map(([cellKey, sums]) => ({ values: cellKey.split('\u0000'), sums }));
    // The agreement lists its dimensions most important first: generalise the last first.
    const order = dimensions.map((_, index) => dimensions.length - 1 - index);
    const blocks = partner === null ? [] : buildBlocks(cells.map((cell) => ({ values: cell.values, alerts: cell.sums.alerts })), terms.minimumCellSize, order);
    view = { cells, blocks };
    entry.views.set(key, view);
  }
  return view;
}

const noMeasures = { alerts: null, firearms: null, rounds: null, explosivesKg: null, threat: null, vulnerability: null, impact: null };

function emptySums(): Sums {
  return { alerts: 0, firearms: 0, rounds: 0, explosivesKg: 0, threat: 0, vulnerability: 0, impact: 0 };
}

function addSums(into: Sums, from: Sums) {
  into.alerts += from.alerts;
  into.firearms += from.firearms;
  into.rounds += from.rounds;
  into.explosivesKg += from.explosivesKg;
  into.threat += from.threat;
  into.vulnerability += from.vulnerability;
  into.impact += from.impact;
}

/** What a released cell says, of the measures the caller receives. */
function released(sums: Sums, measures: readonly StatisticsMeasure[]): Omit<StatisticsCell, 'period' | 'values' | 'suppressed'> {
  const has = (measure: StatisticsMeasure) => measures.includes(measure);
  const mean = (total: number) => Math.round((total / sums.alerts) * 100) / 100;
  return {
    alerts: has('ALERTS') ? sums.alerts : null,
    firearms: has('FIREARMS') ? sums.firearms : null,
    rounds: has('ROUNDS') ? sums.rounds : null,
    explosivesKg: has('EXPLOSIVES_KG') ? Math.round(sums.explosivesKg * 1000) / 1000 : null,
    threat: has('CIRAM_SCORES') ? mean(sums.threat) : null,
    vulnerability: has('CIRAM_SCORES') ? mean(sums.vulnerability) : null,
    impact: has('CIRAM_SCORES') ? mean(sums.impact) : null,
  };
}
