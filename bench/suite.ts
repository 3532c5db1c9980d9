// The benchmark suite's contract: a part measures one thing and returns its
// figures; the runner (bench/index.ts) runs the parts asked for, and one
// reporter (bench/report.ts) prints every part's figures beside their
// baselines and writes them as JSON for comparison between commits.

/** One measured number, with the baseline it is read against when there is one. */
export interface BenchFigure {
  /** What was measured, e.g. "node alerts(first: 20) sequential p50". Unique within its part. */
  name: string;
  value: number;
  /** "ms", "req/s", "entries/s", "MB", "s", "%", … */
  unit: string;
  /** The same thing measured in the same run without what is being costed (same unit). */
  baseline?: { name: string; value: number };
  /** The goal in words, e.g. "≤ 8 ms", "≥ 0.7× plain". */
  goal?: string;
  /** true when the goal is met; undefined when no goal */
  met?: boolean;
  note?: string;
}

export interface BenchContext {
  /** scale factor: 1 normal, smaller for a quick run (--quick) */
  scale: number;
  log: (line: string) => void;
}

export interface BenchPart {
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchFigure[]>;
}
