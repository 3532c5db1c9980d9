import { days } from '../domain/durations.ts';
import { ErrorCode, hubError } from '../errors.ts';

/** The two grids an agreement may put statistics on. */
export type TimeGrid = 'MONTH' | 'WEEK';


/** The first instant (UTC) of the period that holds `at`: the 1st of its month, or the Monday of its ISO week. */
export function periodStart(grid: TimeGrid, at: Date): Date {
  if (grid === 'MONTH') return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  return new Date(day - days((new Date(day).getUTCDay() + 6) % 7));
}

/** The period after the one starting at `start`. */
export function nextPeriod(grid: TimeGrid, start: Date): Date {
  return grid === 'MONTH' ? new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)) : new Date(start.getTime() + days(7));
}

/** A period's name: `2026-03` for a month, `2026-W09` for an ISO week (ISO 8601). */
export function periodName(grid: TimeGrid, start: Date): string {
  if (grid === 'MONTH') return `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  // The ISO year and week are those of the week's Thursday.
  const thursday = new Date(start.getTime() + days(3));
  const firstThursday = periodStart('WEEK', new Date(Date.UTC(thursday.getUTCFullYear(), 0, 4)));
  const week = 1 + Math.round((start.getTime() - firstThursday.getTime()) / (days(7)));
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The start of the period a name designates, or undefined when it names none of the grid. */
export function parsePeriodName(grid: TimeGrid, name: string): Date | undefined {
  const match = grid === 'MONTH' ? /^(\d{4})-(\d{2})$/.exec(name) : /^(\d{4})-W(\d{2})$/.exec(name);
  if (!match) return undefined;
  const [year, part] = [Number(match[1]), Number(match[2])];
  if (year < 1970 || year > 9999) return undefined;
  const start =
    grid === 'MONTH'
      ? new Date(Date.UTC(year, part - 1, 1))
      : new Date(periodStart('WEEK', new Date(Date.UTC(year, 0, 4))).getTime() + (part - 1) * days(7));
  return part >= 1 && periodName(grid, start) === name ? start : undefined;
}

/**
 * The whole periods a table spans, from `from` to `to` inclusive, named on the
 * grid (by default the `defaultCount` periods up to the current one). A table
 * never takes arbitrary bounds: two overlapping requests could then isolate
 * the records between their ends.
 */
export function periodsOf(grid: TimeGrid, from: string | null | undefined, to: string | null | undefined, maxPeriods: number, now = new Date(), defaultCount = 12): Date[] {
  const issues: { path: string[]; message: string }[] = [];
  const example = grid === 'MONTH' ? '2026-03' : '2026-W09';
  const parse = (name: string | null | undefined, field: 'from' | 'to') => {
    if (name == null) return undefined;
    const start = parsePeriodName(grid, name);
    if (!start) issues.push({ path: ['input', field], message: `must name a ${grid === 'MONTH' ? 'month' : 'ISO week'} of the agreement's grid, such as ${example}` });
    return start;
  };
  const last = parse(to, 'to') ?? periodStart(grid, now);
  let first = parse(from, 'from');
  if (issues.length) throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`, { issues });
  if (!first) {
    first = last;
    for (let i = 1; i < Math.min(defaultCount, maxPeriods); i += 1) first = previousPeriod(grid, first);
  }
  const periods: Date[] = [];
  for (let at = first; at <= last; at = nextPeriod(grid, at)) {
    periods.push(at);
    if (periods.length > maxPeriods) {
      throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: a table spans at most ${maxPeriods} periods`, {
        issues: [{ path: ['input', 'from'], message: `a table spans at most ${maxPeriods} periods` }],
      });
    }
  }
  if (!periods.length) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: input.from must not be after input.to', {
      issues: [{ path: ['input', 'from'], message: 'must not be after input.to' }],
    });
  }
  return periods;
}

function previousPeriod(grid: TimeGrid, start: Date): Date {
  return grid === 'MONTH' ? new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1)) : new Date(start.getTime() - days(7));
}
