import { ErrorCode, hubError } from '../../errors.ts';
import type { HubTypes } from './hubSchemaTypes.ts';

/** Page size when the client gives none, and the most it may ask for. */
export const defaultPageSize = 20;
export const maxPageSize = 100;

/** Forward pagination only: lists are newest-first feeds. */
export function forwardPage(args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }) {
  if (args.last != null || args.before != null) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: only forward pagination (first/after) is supported.', {
      issues: [{ path: args.last != null ? 'last' : 'before', message: 'is not supported; use first and after' }],
    });
  }
  const first = args.first ?? defaultPageSize;
  if (!Number.isInteger(first) || first < 1 || first > maxPageSize) {
    throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: first must be between 1 and ${maxPageSize}.`, {
      issues: [{ path: 'first', message: `must be between 1 and ${maxPageSize}` }],
    });
  }
  return { first, after: args.after ?? null };
}

export function connectionOf<T>(nodes: T[], cursors: string[], hasNextPage: boolean, totalCount: number, after: string | null) {
  return {
    totalCount,
    edges: nodes.map((node, index) => ({ node, cursor: cursors[index]! })),
    pageInfo: {
      hasNextPage,
      hasPreviousPage: after !== null,
      startCursor: cursors[0] ?? null,
      endCursor: cursors.at(-1) ?? null,
    },
  };
}

/** The total a connection reports besides its page. */
export const totalCountField = (c: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, object>) =>
  c.int({ resolve: (connection) => (connection as { totalCount: number }).totalCount });

/**
 * Names and extra fields of a list connection, for `t.connection(options, ...countedConnection('Alert'))`:
 * AlertConnection with its totalCount, and AlertEdge.
 */
export function countedConnection(name: string) {
  return [
    { name: `${name}Connection`, fields: (c: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, object>) => ({ totalCount: totalCountField(c) }) },
    { name: `${name}Edge` },
  ] as const;
}

