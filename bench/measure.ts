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

/** Requests in flight in the concurrent load of the suite's HTTP parts. */
export const inFlight = 8;

/**
 * The two loads of the HTTP parts: strictly sequential (latency), and
 * {@link inFlight} requests at once (throughput). `requests` at scale 1, at
 * least 20 at any scale; a tenth as many again as warm-up.
 */
export function httpLoads(scale: number, requests = 200): { sequential: Load; concurrent: Load } {
  const count = Math.max(20, Math.round(requests * scale));
  const warmup = Math.ceil(count / 10);
  return {
    sequential: { label: 'sequential', warmup, requests: count, concurrency: 1 },
    concurrent: { label: `${inFlight} in flight`, warmup, requests: count, concurrency: inFlight },
  };
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

function summarize(durations: number[], elapsedMs: number): Measurement {
  durations.sort((a, b) => a - b);
  return {
    requests: durations.length,
    p50: percentile(durations, 0.5),
    p95: percentile(durations, 0.95),
    p99: percentile(durations, 0.99),
    throughput: durations.length / (elapsedMs / 1000),
  };
}

/** Warms up, then times `load.requests` calls of `operation` under the given load. */
export async function measure(operation: () => Promise<unknown>, load: Load): Promise<Measurement> {
  return (await measureInterleaved({ operation }, load, 1)).operation;
}

/**
 * Measures several operations under the same load, in `rounds` turns of
 * each (A B C A B C …) instead of one after the other, so that a change in
 * what else runs on a shared machine falls on all of them alike and their
 * ratios stay fair. Each is warmed up first; throughput is its requests over
 * the time of its own turns.
 */
export async function measureInterleaved<Name extends string>(
  operations: Record<Name, () => Promise<unknown>>,
  load: Load,
  rounds = 4,
): Promise<Record<Name, Measurement>> {
  const names = Object.keys(operations) as Name[];
  for (const name of names) await drive(operations[name], load.warmup, load.concurrency);
  const durations = new Map(names.map((name) => [name, [] as number[]]));
  const elapsed = new Map(names.map((name) => [name, 0]));
  for (let round = 0; round < rounds; round += 1) {
    // The requests of a load spread over the rounds, the last round taking what is left.
    const count = round === rounds - 1 ? load.requests - Math.floor(load.requests / rounds) * (rounds - 1) : Math.floor(load.requests / rounds);
    for (const name of names) {
      const start = performance.now();
      durations.get(name)!.push(...(await drive(operations[name], count, load.concurrency)));
      elapsed.set(name, elapsed.get(name)! + performance.now() - start);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(durations.get(name)!, elapsed.get(name)!)])) as Record<Name, Measurement>;
}
