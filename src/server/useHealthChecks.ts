import { useReadinessCheck, type Plugin } from 'graphql-yoga';

/** Path answering whether the process is alive (Yoga's own health check). */
export const livenessPath = '/healthz';
/** Path answering whether the process can serve requests now. */
export const readinessPath = '/readyz';

/** One dependency of a process and whether it answered. */
export type DependencyState = 'ok' | 'unavailable';

/** What a readiness check found: each dependency's state, and whether the process can serve. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, DependencyState | Record<string, DependencyState>>;
}

/** Options for {@link useHealthChecks}. */
export interface HealthCheckOptions {
  /** Checks the process's dependencies; must not throw and should answer within a few seconds. */
  readiness: () => Promise<Readiness>;
}

/**
 * `/readyz` for orchestrators and operators: 200 when the process can serve,
 * 503 when it cannot, with a JSON body that names each dependency's state and
 * nothing else (no error messages, no addresses). Liveness (`/healthz`) is
 * Yoga's health check endpoint, set where the Yoga server is created.
 */
export function useHealthChecks({ readiness }: HealthCheckOptions): Plugin {
  return useReadinessCheck({
    endpoint: readinessPath,
    check: async ({ fetchAPI }) => {
      const result = await readiness();
      return new fetchAPI.Response(JSON.stringify({ status: result.ready ? 'ready' : 'unavailable', checks: result.checks }), {
        status: result.ready ? 200 : 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    },
  });
}

/** Whether a promise settles well within a time limit: the state of one dependency. */
export async function probe(check: () => Promise<unknown>, timeoutMs = 2_000): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}
