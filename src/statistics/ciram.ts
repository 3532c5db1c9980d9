import { riskLevel } from '../domain/risk.ts';
import type { RiskLevel } from '../domain/enums.ts';
import type { StatisticsTable } from './statisticsTable.ts';

/** CIRAM 2.0's view of one place in one period, from one agency's alerts there. */
export interface CiramAssessment {
  agency: string;
  place: string;
  period: string;
  suppressed: boolean;
  alerts: number | null;
  threat: number | null;
  vulnerability: number | null;
  impact: number | null;
  /** The level the mean scores give (src/domain/risk.ts), null when suppressed. */
  level: RiskLevel | null;
}

export type TrendDirection = 'RISING' | 'FALLING' | 'STABLE' | 'UNKNOWN';

/** Where the risk at one place is heading, by one agency's assessments. */
export interface CiramTrend {
  agency: string;
  place: string;
  direction: TrendDirection;
  /** Change of the risk score (mean threat × vulnerability × impact, 1 to 125) per period, least squares; null when UNKNOWN. */
  slope: number | null;
  /** Released periods the trend is drawn from. */
  periods: number;
}

/** Periods with a released assessment a trend needs at least. */
export const minTrendPeriods = 3;
/** A slope within this share of the mean score per period is STABLE. */
const stableShare = 0.02;

const round = (value: number) => Math.round(value * 100) / 100;

/** The assessments of a table by PLACE with CIRAM scores. */
export function ciramAssessments(table: StatisticsTable): CiramAssessment[] {
  return table.cells.map((cell) => ({
    agency: table.agency,
    place: cell.values[0]!,
    period: cell.period,
    suppressed: cell.suppressed,
    alerts: cell.alerts,
    threat: cell.threat,
    vulnerability: cell.vulnerability,
    impact: cell.impact,
    level:
      cell.threat === null || cell.vulnerability === null || cell.impact === null
        ? null
        : riskLevel(Math.round(cell.threat), Math.round(cell.vulnerability), Math.round(cell.impact)),
  }));
}

/**
 * The trend of each agency's risk score per place over the table's periods:
 * the least-squares slope over the periods whose assessment was released
 * (suppressed ones are left out, never guessed), from at least three.
 */
export function ciramTrends(assessments: readonly CiramAssessment[], periods: readonly string[]): CiramTrend[] {
  const series = new Map<string, { agency: string; place: string; points: [number, number][] }>();
  for (const assessment of assessments) {
    const key = `${assessment.agency} ${assessment.place}`;
    const entry = series.get(key) ?? { agency: assessment.agency, place: assessment.place, points: [] };
    if (assessment.threat !== null && assessment.vulnerability !== null && assessment.impact !== null) {
      entry.points.push([periods.indexOf(assessment.period), assessment.threat * assessment.vulnerability * assessment.impact]);
    }
    series.set(key, entry);
  }
  return [...series.values()]
    .sort((a, b) => a.agency.localeCompare(b.agency) || a.place.localeCompare(b.place))
    .map(({ agency, place, points }) => {
      if (points.length < minTrendPeriods) return { agency, place, direction: 'UNKNOWN', slope: null, periods: points.length };
      const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
      const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
      const slope = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0) / points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
      const direction: TrendDirection = Math.abs(slope) <= stableShare * meanY ? 'STABLE' : slope > 0 ? 'RISING' : 'FALLING';
      return { agency, place, direction, slope: round(slope), periods: points.length };
    });
}
