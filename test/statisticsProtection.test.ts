import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { releasedArrests } from '../src/statistics/jointArrests.ts';
import { buildBlocks, suppressedCells, type FineCell } from '../src/statistics/protectCells.ts';

// The disclosure control of one period, attacked as a partner would: every
// table it may ask (every subset of the dimensions, the empty one being the
// total) with every cell it is given, zeros included, as linear constraints
// on the unknown finest counts (non-negative integers). For every suppressed
// cell of every table, an exhaustive search of all the counts consistent with
// everything released finds its least and greatest possible value: they must
// differ (no suppressed value can be derived by differencing margins or
// overlapping tables), by at least the minimum cell size whenever the period
// holds that many alerts. Periods are independent (no table adds periods up),
// so one period is the whole problem. Small cases keep the search exhaustive.

interface Case {
  sizes: number[];
  minimum: number;
  counts: number[];
}

/** Every finest cell: its values (as `v<d>=<i>` strings) in dimension order. */
function finestCells(sizes: readonly number[]): string[][] {
  let cells: string[][] = [[]];
  sizes.forEach((size, dimension) => {
    cells = cells.flatMap((prefix) => Array.from({ length: size }, (_, value) => [...prefix, `d${dimension}=${value}`]));
  });
  return cells;
}

function subsets(count: number): number[][] {
  return Array.from({ length: 2 ** count }, (_, mask) => [...Array(count).keys()].filter((index) => mask & (1 << index)));
}

/** What a partner receives of every table: released cells as constraints (members, value), and the suppressed ones. */
function release({ sizes, minimum, counts }: Case) {
  const cells = finestCells(sizes);
  const fine: FineCell[] = cells.map((values, index) => ({ values, alerts: counts[index]! }));
  const order = sizes.map((_, index) => sizes.length - 1 - index);
  const blocks = buildBlocks(fine, minimum, order);
  const constraints: { members: number[]; value: number }[] = [];
  const suppressed: { table: number[]; key: string; members: number[]; value: number }[] = [];
  for (const table of subsets(sizes.length)) {
    const groups = new Map<string, number[]>();
    cells.forEach((values, index) => {
      const key = table.map((dimension) => values[dimension]).join('\u0000');
      groups.set(key, [...(groups.get(key) ?? []), index]);
    });
    const totals = new Map([...groups].map(([key, members]) => [key, members.reduce((sum, index) => sum + counts[index]!, 0)]));
    const hidden = suppressedCells(blocks, table, totals, minimum);
    for (const [key, members] of groups) {
      if (hidden.has(key)) suppressed.push({ table, key, members, value: totals.get(key)! });
      else constraints.push({ members, value: totals.get(key)! });
    }
    // A released cell is never under the minimum unless it is empty.
    for (const [key, total] of totals) if (!hidden.has(key)) expect(total === 0 || total >= minimum).toBe(true);
  }
  return { cells, constraints, suppressed };
}

/**
 * The least and greatest value of each suppressed cell over every vector of
 * finest counts that gives every released cell its released value, counts
 * summing at most to `ceiling` (the search's bound: enough to show a range).
 */
function bounds(cellCount: number, constraints: readonly { members: number[]; value: number }[], targets: readonly number[][], ceiling: number) {
  const lowest = targets.map(() => Infinity);
  const highest = targets.map(() => -Infinity);
  const x = new Array<number>(cellCount).fill(0);
  // A constraint can be checked once its last member is assigned; before that, its partial sum may not exceed its value.
  const lastMember = constraints.map((constraint) => Math.max(...constraint.members));
  let solutions = 0;
  const search = (cell: number, used: number) => {
    if (cell === cellCount) {
      solutions += 1;
      targets.forEach((members, index) => {
        const value = members.reduce((sum, member) => sum + x[member]!, 0);
        lowest[index] = Math.min(lowest[index]!, value);
        highest[index] = Math.max(highest[index]!, value);
      });
      return;
    }
    for (let value = 0; used + value <= ceiling; value += 1) {
      x[cell] = value;
      let feasible = true;
      for (let index = 0; index < constraints.length && feasible; index += 1) {
        const { members, value: target } = constraints[index]!;
        if (!members.includes(cell)) continue;
        const partial = members.reduce((sum, member) => (member <= cell ? sum + x[member]! : sum), 0);
        feasible = lastMember[index] === cell ? partial === target : partial <= target;
      }
      if (!feasible) {
        // Larger values only overshoot further.
        if (constraints.some((constraint) => constraint.members.includes(cell) && constraint.members.reduce((sum, member) => (member <= cell ? sum + x[member]! : sum), 0) > constraint.value)) break;
        continue;
      }
      search(cell + 1, used + value);
    }
    x[cell] = 0;
  };
  search(0, 0);
  return { lowest, highest, solutions };
}

const smallCase: fc.Arbitrary<Case> = fc
  .record({
    sizes: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 2, maxLength: 3 }).filter((sizes) => sizes.reduce((a, b) => a * b, 1) <= 9),
    minimum: fc.integer({ min: 3, max: 5 }),
  })
  .chain(({ sizes, minimum }) =>
    fc
      .array(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.integer({ min: 5, max: 7 }) }), {
        minLength: sizes.reduce((a, b) => a * b, 1),
        maxLength: sizes.reduce((a, b) => a * b, 1),
      })
      .filter((counts) => counts.reduce((a, b) => a + b, 0) <= 16)
      .map((counts) => ({ sizes, minimum, counts })),
  );

describe('disclosure control of the joint picture', () => {
  it('lets no suppressed cell of any table be derived from everything else a partner may ask for (exhaustive bounds, fixed seed)', () => {
    let suppressedSeen = 0;
    let releasedSeen = 0;
    fc.assert(
      fc.property(smallCase, (testCase) => {
        const { cells, constraints, suppressed } = release(testCase);
        const total = testCase.counts.reduce((a, b) => a + b, 0);
        suppressedSeen += suppressed.length;
        releasedSeen += constraints.filter((constraint) => constraint.value > 0).length;
        if (!suppressed.length) return;
        const ceiling = total + testCase.minimum;
        const { lowest, highest, solutions } = bounds(cells.length, constraints, suppressed.map((cell) => cell.members), ceiling);
        expect(solutions).toBeGreaterThan(0);
        suppressed.forEach((cell, index) => {
          const where = `table by dimensions [${cell.table}] cell ${JSON.stringify(cell.key)} (value ${cell.value}) of ${JSON.stringify(testCase)}`;
          expect(lowest[index], where).toBeLessThanOrEqual(cell.value);
          expect(highest[index], where).toBeGreaterThanOrEqual(cell.value);
          expect(highest[index]! - lowest[index]!, `derivable: ${where}`).toBeGreaterThanOrEqual(total >= testCase.minimum ? testCase.minimum : 1);
        });
      }),
      { seed: 20261205, numRuns: 300 },
    );
    // The generator reaches both: tables with suppressed cells, and released cells with something in them.
    expect(suppressedSeen).toBeGreaterThan(100);
    expect(releasedSeen).toBeGreaterThan(100);
  });

  it('suppresses a small cell with a complement, so that its margin stays released', () => {
    // 2 × 2: 1 and 9 in the first row, 8 and 6 in the second; minimum 5.
    const cells = finestCells([2, 2]);
    const counts = [1, 9, 8, 6];
    const blocks = buildBlocks(cells.map((values, index) => ({ values, alerts: counts[index]! })), 5, [1, 0]);
    const byBoth = new Map(cells.map((values, index) => [values.join('\u0000'), counts[index]!]));
    const hidden = suppressedCells(blocks, [0, 1], byBoth, 5);
    expect([...hidden].sort()).toEqual(['d0=0\u0000d1=0', 'd0=0\u0000d1=1']);
    // The row of the small cell and its complement is released whole, the columns they share are not.
    expect(suppressedCells(blocks, [0], new Map([['d0=0', 10], ['d0=1', 14]]), 5).size).toBe(0);
    expect([...suppressedCells(blocks, [1], new Map([['d1=0', 9], ['d1=1', 15]]), 5)].sort()).toEqual(['d1=0', 'd1=1']);
  });

  it("lets no member of joint operations learn a small count of another operation's arrests from a released period (fixed seed)", () => {
    let released = 0;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 2, max: 6 }), (shares, minimum) => {
        const total = releasedArrests(shares, minimum);
        if (total === null) return;
        released += 1;
        // Every set of operations a caller may be a member of: what the released total leaves of the others.
        for (const known of subsets(shares.length)) {
          const rest = total - known.reduce((sum, index) => sum + shares[index]!, 0);
          expect(rest === 0 || rest >= minimum, `${JSON.stringify({ shares, minimum, known })} leaves ${rest}`).toBe(true);
        }
      }),
      { seed: 20261205, numRuns: 500 },
    );
    expect(released).toBeGreaterThan(50);
  });
});
