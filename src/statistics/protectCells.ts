// Disclosure control of one period's statistics for one partner: which cells
// of any table over the period it may receive. See docs/picture.md.
//
// The minimum frequency rule alone (suppress the cells under the minimum) is
// not enough: a partner that may ask every table of the period (every subset
// of the dimensions) would difference a released margin against its released
// parts and recover a suppressed one. Official statistics add secondary
// suppression, chosen for the table and its margins (Eurostat's handbook on
// statistical disclosure control; tau-ARGUS for linked tables). Here every
// table the partner may ask is linked to every other through the same
// alerts, so the protection is chosen once per period, for all of them:
//
// The period's alerts are grouped into blocks, each a "rectangle" of the
// dimensions (for every dimension a set of values) holding at least the
// minimum number of alerts. A cell of any table is released only if every
// block that reaches into it lies wholly within it, and its count is 0 or at
// least the minimum; otherwise it is suppressed. Every released number is then
// a sum of whole blocks, so moving any alert anywhere within its block's
// rectangle leaves every released number of every table as it is, while a
// suppressed cell that a block reaches into without holding it can gain or
// lose the block's whole count (at least the minimum). No combination of
// released cells, margins or overlapping requests pins a suppressed cell down
// more tightly than that; test/statisticsProtection.test.ts checks it by
// exhaustive enumeration on generated small cases.
//
// Blocks are built by generalising the least important dimension first (the
// agreement lists dimensions most important first): cells under the minimum
// that differ only in that dimension are pooled; a pool still under the
// minimum joins the smallest block that agrees with it on every dimension
// not yet generalised (the secondary suppression: a complement as small as
// can be found), or else waits for the next dimension. The choice depends only
// on the period's cells, so the same question gets the same answer.

/** One cell of the finest table: a value of every dimension, and its alert count. */
export interface FineCell {
  values: readonly string[];
  alerts: number;
}

/** A block: for every dimension the values it spans, and the alerts it holds. */
export interface Block {
  sets: ReadonlySet<string>[];
  alerts: number;
}

interface Cluster {
  sets: Set<string>[];
  alerts: number;
  /** The cell it started from: a stable order, whatever it absorbed since. */
  key: string;
}

/**
 * The blocks of one period's finest cells (`dimensionOrder`: the dimensions'
 * indexes, least important first). Cells with no alert take no part. When the
 * whole period holds fewer alerts than the minimum, one block holds them all.
 */
export function buildBlocks(cells: readonly FineCell[], minimum: number, dimensionOrder: readonly number[]): Block[] {
  let clusters: Cluster[] = cells
    .filter((cell) => cell.alerts > 0)
    .map((cell) => ({ sets: cell.values.map((value) => new Set([value])), alerts: cell.alerts, key: cell.values.join('\u0000') }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const small = () => clusters.some((cluster) => cluster.alerts < minimum);
  for (let step = 0; step < dimensionOrder.length && small(); step += 1) {
    const generalised = new Set(dimensionOrder.slice(0, step + 1));
    // Every cluster is still a single value on each dimension not generalised yet: its signature.
    const signature = (cluster: Cluster) => cluster.sets.map((set, dimension) => (generalised.has(dimension) ? '*' : set.values().next().value)).join('\u0000');
    const big = new Map<string, Cluster[]>();
    const pools = new Map<string, Cluster[]>();
    for (const cluster of clusters) {
      const target = cluster.alerts >= minimum ? big : pools;
      const key = signature(cluster);
      const list = target.get(key);
      if (list) list.push(cluster);
      else target.set(key, [cluster]);
    }
    const next: Cluster[] = [...big.values()].flat();
    for (const [key, pool] of [...pools].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const merged = pool.reduce(merge);
      if (merged.alerts >= minimum) {
        next.push(merged);
        continue;
      }
      const complements = big.get(key);
      if (!complements?.length) {
        next.push(merged);
        continue;
      }
      // The smallest block that can complement it: it loses the least by being suppressed with it.
      const complement = complements.reduce((best, candidate) =>
        candidate.alerts < best.alerts || (candidate.alerts === best.alerts && candidate.key < best.key) ? candidate : best,
      );
      const absorbed = merge(complement, merged);
      complement.sets = absorbed.sets;
      complement.alerts = absorbed.alerts;
    }
    clusters = next;
  }
  return clusters;
}

function merge(a: Cluster, b: Cluster): Cluster {
  return { sets: a.sets.map((set, dimension) => new Set([...set, ...b.sets[dimension]!])), alerts: a.alerts + b.alerts, key: a.key < b.key ? a.key : b.key };
}

/**
 * The cells of a table over `dimensions` (indexes into the blocks' dimensions)
 * that must be suppressed: every combination of values that a block reaches
 * into without lying within it (it spans more than one value of one of the
 * table's dimensions), as keys of the values joined by U+0000. Cells whose
 * count is under the minimum but above 0 are suppressed by the caller too
 * (only possible when the whole period is under the minimum).
 */
export function suppressedKeys(blocks: readonly Block[], dimensions: readonly number[]): Set<string> {
  const keys = new Set<string>();
  for (const block of blocks) {
    if (!dimensions.some((dimension) => block.sets[dimension]!.size > 1)) continue;
    let combinations: string[][] = [[]];
    for (const dimension of dimensions) {
      combinations = combinations.flatMap((prefix) => [...block.sets[dimension]!].map((value) => [...prefix, value]));
    }
    for (const combination of combinations) keys.add(combination.join('\u0000'));
  }
  return keys;
}

/**
 * The cells of one table (counts per key, keys of values joined by U+0000)
 * that a partner may not receive: those suppressedKeys names, and any other
 * holding fewer alerts than the minimum but some.
 */
export function suppressedCells(blocks: readonly Block[], dimensions: readonly number[], counts: ReadonlyMap<string, number>, minimum: number): Set<string> {
  const suppressed = suppressedKeys(blocks, dimensions);
  for (const [key, alerts] of counts) if (alerts > 0 && alerts < minimum) suppressed.add(key);
  return suppressed;
}
