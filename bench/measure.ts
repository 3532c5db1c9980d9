import { performance } from 'node:perf_hooks';

/** How hard a measurement drives the server. */
export interface Load {
  /** Short label for the report ("seq", "8 in flight"). */
  label: string;
  /** Requests run first and not timed: JIT, connection pools and PostgreSQL's caches warm up on them. */
  warmup: number;
  /** Requests timed. */
  requests: number;
  /** Requests in flight at once; 1 is strictly sequential. */
  concurrency: number;
}

/** Latencies in milliseconds, throughput in completed requests per second. */
export interface Measurement {
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  throughput: number;
}

/**
 * Runs `operation` `count` times with at most `concurrency` calls in flight
 * and resolves with the duration of each call, in milliseconds. On the first
 * failure no further call starts, and the failure is raised only once the
 * calls already in flight have settled, so that nothing still talks to the
 * servers while the caller tears them down.
 */
async function drive(operation: () => Promise<unknown>, count: number, concurrency: number): Promise<number[]> {
  const durations: number[] = [];
  let started = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && started < count) {
      started += 1;
      const start = performance.now();
      try {
        await operation();
      } catch (error) {
        failed = true;
        throw error;
      }
      durations.push(performance.now() - start);
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, count) }, worker));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  return durations;
}

/** Nearest-rank percentile (0 < fraction ≤ 1) of values sorted ascending. */
export function percentile(sorted: readonly number[], fraction: number): number {
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.max(rank, 1) - 1] ?? Number.NaN;
}

/** Warms up, then times `load.requests` calls of `operation` under the given load. */
export async function measure(operation: () => Promise<unknown>, load: Load): Promise<Measurement> {
  await drive(operation, load.warmup, load.concurrency);
  const start = performance.now();
  const durations = await drive(operation, load.requests, load.concurrency);
  const elapsedSeconds = (performance.now() - start) / 1000;
  durations.sort((a, b) => a - b);
  return {
    requests: durations.length,
    p50: percentile(durations, 0.5),
    p95: percentile(durations, 0.95),
    p99: percentile(durations, 0.99),
    throughput: durations.length / elapsedSeconds,
  };
}

export interface Column {
  header: string;
  /** Numbers read best right-aligned, names left-aligned. */
  align: 'left' | 'right';
}

/** A plain-text table with a rule under the header, columns padded to their widest cell. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) => Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const width = widths[index] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), line(widths.map((width) => '─'.repeat(width))), ...rows.map(line)].join('\n');
}
