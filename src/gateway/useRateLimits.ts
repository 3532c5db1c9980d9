import { Kind, getOperationAST, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type pg from 'pg';
import { ErrorCode, hubError } from '../errors.ts';
import type { Officer } from '../identity/officer.ts';
import { inSpan } from '../telemetry/tracer.ts';

/** How many operations, and how many searches, an officer and a unit may run per minute. */
export interface RateLimits {
  /** Operations (queries, mutations, subscriptions) per officer per minute. Default 600. */
  operationsPerOfficer: number;
  /** Operations per unit per minute, all its officers together. Default 3,000. */
  operationsPerUnit: number;
  /**
   * Hit/no-hit searches per officer per minute, each `search` field of a
   * document counted (aliases too), and each watch entry registered
   * (`createWatchEntry`: a standing search, whose retro hits answer the same
   * question at once). Default 30: an officer checking vehicles at a crossing
   * point searches a few a minute, and bulk fishing through the partner's
   * records is the misuse this stops.
   */
  searchesPerOfficer: number;
  /** Searches per unit per minute. Default 150. */
  searchesPerUnit: number;
}

export const defaultRateLimits: RateLimits = { operationsPerOfficer: 600, operationsPerUnit: 3_000, searchesPerOfficer: 30, searchesPerUnit: 150 };

/** Options for {@link useRateLimits}. */
export interface RateLimitOptions {
  /** The hub database, where the counters live (table hub.rate_limit), shared by every gateway process. */
  pool: pg.Pool;
  limits?: Partial<RateLimits>;
}

const windowMs = 60_000;

/**
 * Every counter of one operation in one statement (one round trip, where
 * rate-limiter-flexible took one upsert per counter): the operation counters
 * of the officer and the unit, and, only if both are within their limits, the
 * search counters. A counter whose window ended starts a new one. The rows
 * are locked in key order, so two operations never wait on each other in a
 * circle. The layout and keys are rate-limiter-flexible's (`<prefix>:<key>`),
 * whose windows this continues.
 *
 *   $1 operation keys, $2 their points, $3 their limits,
 *   $4 search keys, $5 their points, $6 the end of a new window, $7 now (ms)
 */
const consumeStatement = `
  with operations as (
    insert into hub.rate_limit as counter (key, points, expire)
    select key, points, $6::bigint from unnest($1::text[], $2::int[]) as given(key, points) order by key
    on conflict (key) do update set
      points = case when counter.expire <= $7::bigint then excluded.points else counter.points + excluded.points end,
      expire = case when counter.expire <= $7::bigint then excluded.expire else counter.expire end
    returning key, points, expire
  ), searches as (
    insert into hub.rate_limit as counter (key, points, expire)
    select key, points, $6::bigint from unnest($4::text[], $5::int[]) as given(key, points)
     where not exists (select from operations join unnest($1::text[], $3::int[]) as limits(key, points) using (key) where operations.points > limits.points)
     order by key
    on conflict (key) do update set
      points = case when counter.expire <= $7::bigint then excluded.points else counter.points + excluded.points end,
      expire = case when counter.expire <= $7::bigint then excluded.expire else counter.expire end
    returning key, points, expire
  )
  select key, points, expire from operations union all select key, points, expire from searches`;

/** Root fields that ask every agency whether it holds a record: a search, and a watch entry (matched at once against every record). */
const searchFields = new Set(['search', 'createWatchEntry']);

/** Searches and watch entries among the root fields of the operation, through fragments and aliases. */
function countSearches(document: DocumentNode, operationName: string | null | undefined): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  const fragments = new Map(
    document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  const seen = new Set<string>();
  const count = (selectionSet: SelectionSetNode): number =>
    selectionSet.selections.reduce((sum, selection) => {
      if (selection.kind === Kind.FIELD) return sum + (searchFields.has(selection.name.value) ? 1 : 0);
      if (selection.kind === Kind.INLINE_FRAGMENT) return sum + count(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return sum;
      seen.add(fragment.name.value);
      return sum + count(fragment.selectionSet);
    }, 0);
  return count(operation.selectionSet);
}

/**
 * Rate limits per officer and per unit on every operation, and separately on
 * hit/no-hit searches, with counters in the hub database so that they hold
 * across gateway processes. A refusal is RATE_LIMITED (HTTP 429) with the
 * seconds to wait, in `extensions.retryAfterSeconds` and `Retry-After`; it is
 * audited like any refused operation.
 */
export function useRateLimits({ pool, limits: given = {} }: RateLimitOptions): Plugin {
  const limits = { ...defaultRateLimits, ...given };

  const consume = async (officer: Officer, document: DocumentNode, operationName: string | null | undefined) => {
    const officerKey = `${officer.agency}:${officer.sub}`;
    const unitKey = `${officer.agency}:${officer.unit}`;
    const searchCount = countSearches(document, operationName);
    const limitOf = new Map([
      [`op-officer:${officerKey}`, limits.operationsPerOfficer],
      [`op-unit:${unitKey}`, limits.operationsPerUnit],
      [`search-officer:${officerKey}`, limits.searchesPerOfficer],
      [`search-unit:${unitKey}`, limits.searchesPerUnit],
    ]);
    const [operationKeys, searchKeys] = [[...limitOf.keys()].slice(0, 2), searchCount > 0 ? [...limitOf.keys()].slice(2) : []];
    const now = Date.now();
    let counters: { key: string; points: number; expire: string }[];
    try {
      ({ rows: counters } = await inSpan('gateway.rateLimit', {}, () => pool.query<{ key: string; points: number; expire: string }>(consumeStatement, [
        operationKeys,
        operationKeys.map(() => 1),
        operationKeys.map((key) => limitOf.get(key)!),
        searchKeys,
        searchKeys.map(() => searchCount),
        now + windowMs,
        now,
      ])));
    } catch {
      // The counters live in the hub database, as does the audit log: without it nothing is served.
      throw hubError(ErrorCode.AUDIT_UNAVAILABLE, 'The hub database cannot be reached (it keeps the audit log and the rate limits), so nothing is released. Try again later.');
    }
    const over = counters.filter((counter) => counter.points > limitOf.get(counter.key)!);
    if (over.length === 0) return;
    const retryAfterSeconds = Math.max(1, ...over.map((counter) => Math.ceil((Number(counter.expire) - now) / 1000)));
    const what = searchCount > 0 ? 'searches' : 'requests';
    throw hubError(ErrorCode.RATE_LIMITED, `Too many ${what} from you or your unit in the last minute; try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
      http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
    });
  };

  const check = async (args: { contextValue: unknown; document: DocumentNode; operationName?: string | null | undefined }) => {
    const officer = (args.contextValue as { officer?: Officer }).officer;
    if (officer) await consume(officer, args.document, args.operationName);
  };

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      try {
        await check(args);
      } catch (error) {
        setResultAndStopExecution({ errors: [error as Error] as never });
      }
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      try {
        await check(args);
      } catch (error) {
        setResultAndStopExecution({ errors: [error as Error] as never });
      }
    },
  };
}
