import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';
import { useContentTypeCheck } from './useContentTypeCheck.ts';
import { useNoSuggestions } from './useNoSuggestions.ts';
import { useJsonParameterCheck } from './useJsonParameterCheck.ts';
import { useStorableText } from './useStorableText.ts';
import { useVariableCostLimit } from './useVariableCostLimit.ts';
import { useRequestSizeLimit } from './useRequestSizeLimit.ts';
import { useSecurityHeaders } from './useSecurityHeaders.ts';

/** Options for {@link hubYogaPlugins}. */
export interface HubYogaPluginOptions {
  /** Largest request body, in bytes. Default 256 KiB. */
  maxRequestBytes?: number;
  /** Deepest selection accepted. Default 12 (an alert's documents sit at depth 8). */
  maxDepth?: number;
  /** graphql-armor cost ceiling. Default 100,000 (a full alert selection costs about 50,000). */
  maxCost?: number;
}

/**
 * The protections every hub endpoint runs before executing anything: security
 * headers on every response, JSON request bodies only, well-formed JSON
 * parameters, body size, then graphql-armor's depth, cost, alias, directive
 * and token limits (the cost counted with page sizes given as variables too),
 * no suggestions of fields or enum values (they leak the schema to probes);
 * then, before execution, no NUL and no lone surrogate in any string.
 */
export function hubYogaPlugins({ maxRequestBytes, maxDepth = 12, maxCost = 100_000 }: HubYogaPluginOptions = {}): Plugin[] {
  // graphql-armor words its refusals as syntax errors; they get a code of their own.
  const onReject = [
    (_context: unknown, error: GraphQLError) => {
      (error.extensions as Record<string, unknown>).code = ErrorCode.QUERY_TOO_COMPLEX;
    },
  ];
  const costLimit = { maxCost, ignoreIntrospection: true, onReject };
  return [
    // Listed first so that it wraps Yoga's parser innermost: the size limit reads the body before it does.
    useJsonParameterCheck(),
    useSecurityHeaders(),
    useContentTypeCheck(),
    useNoSuggestions(),
    useRequestSizeLimit(maxRequestBytes === undefined ? {} : { maxBytes: maxRequestBytes }),
    EnvelopArmorPlugin({
      maxDepth: { n: maxDepth, ignoreIntrospection: true, onReject },
      costLimit,
      maxAliases: { n: 30, onReject },
      maxDirectives: { n: 20, onReject },
      maxTokens: { n: 5_000, onReject },
      blockFieldSuggestion: { enabled: true },
    }) as Plugin,
    useVariableCostLimit(costLimit),
    useStorableText(),
  ];
}
