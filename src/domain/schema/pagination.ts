import { collectSubFields } from '@graphql-tools/utils';
import { getNamedType, isObjectType, type FieldNode, type GraphQLResolveInfo } from 'graphql';
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

/** `totalCount` null: not counted, because not selected (selectsTotalCount). */
export function connectionOf<T>(nodes: T[], cursors: string[], hasNextPage: boolean, totalCount: number | null, after: string | null) {
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

/**
 * Whether the client selected `totalCount` of the connection this field
 * returns (through fragments, aliases and @include/@skip as graphql-js
 * resolves them): counting every record the caller may see is a second query,
 * worth running only when someone reads it.
 */
export function selectsTotalCount(info: Pick<GraphQLResolveInfo, 'schema' | 'fragments' | 'variableValues' | 'fieldNodes' | 'returnType'>): boolean {
  const type = getNamedType(info.returnType);
  if (!isObjectType(type)) return true;
  const { fields, patches } = collectSubFields(info.schema, info.fragments, info.variableValues, type, [...info.fieldNodes]);
  // Keyed by response name: an alias hides the field's own name.
  const counts = (selected: Map<string, FieldNode[]>) => [...selected.values()].some((nodes) => nodes.some((node) => node.name.value === 'totalCount'));
  return counts(fields) || patches.some((patch) => counts(patch.fields));
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

