import { Kind, getOperationAST, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode, hubError } from '../errors.ts';
import type { Officer } from '../identity/officer.ts';

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

const windowSeconds = 60;

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
  const limiter = (prefix: string, points: number) =>
    new RateLimiterPostgres({ storeClient: pool, schemaName: 'hub', tableName: 'rate_limit', tableCreated: true, keyPrefix: prefix, points, duration: windowSeconds });
  const operations = { officer: limiter('op-officer', limits.operationsPerOfficer), unit: limiter('op-unit', limits.operationsPerUnit) };
  const searches = { officer: limiter('search-officer', limits.searchesPerOfficer), unit: limiter('search-unit', limits.searchesPerUnit) };

  const consume = async (officer: Officer, document: DocumentNode, operationName: string | null | undefined) => {
    const officerKey = `${officer.agency}:${officer.sub}`;
    const unitKey = `${officer.agency}:${officer.unit}`;
    const searchCount = countSearches(document, operationName);
    try {
      await Promise.all([operations.officer.consume(officerKey), operations.unit.consume(unitKey)]);
      if (searchCount > 0) await Promise.all([searches.officer.consume(officerKey, searchCount), searches.unit.consume(unitKey, searchCount)]);
    } catch (error) {
      // The counters live in the hub database, as does the audit log: without it nothing is served.
      if (!(error instanceof RateLimiterRes)) {
        throw hubError(ErrorCode.AUDIT_UNAVAILABLE, 'The hub database cannot be reached (it keeps the audit log and the rate limits), so nothing is released. Try again later.');
      }
      const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      const what = searchCount > 0 ? 'searches' : 'requests';
      throw hubError(ErrorCode.RATE_LIMITED, `Too many ${what} from you or your unit in the last minute; try again in ${retryAfterSeconds} s.`, {
        retryAfterSeconds,
        http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
      });
    }
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
