import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';
import type { Logger } from './logger.ts';

/** Codes graphql-js does not set on the errors it raises itself. */
function codeOfLibraryError(error: GraphQLError): ErrorCode {
  if (error.message.startsWith('Syntax Error')) return ErrorCode.GRAPHQL_PARSE_FAILED;
  if (error.message.startsWith('Variable "$')) return ErrorCode.BAD_USER_INPUT;
  return ErrorCode.GRAPHQL_VALIDATION_FAILED;
}

/**
 * Yoga's masking, plus: every error that reaches a client has a stable
 * `extensions.code`, and every unexpected one is logged with its stack
 * before the client sees only "Unexpected error.".
 */
export function createMaskError(logger: Logger) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const masked = yogaMaskError(error, message, isDev);
    if (!(masked instanceof GraphQLError)) return masked;
    if (masked.extensions.unexpected) {
      const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
      logger.error({ err: original, path: masked.path }, 'unexpected error');
      return masked;
    }
    if (typeof masked.extensions.code === 'string') return masked;
    // An uncoded error raised while executing a field (a value of the wrong type, an abstract type
    // that cannot be resolved, null for a non-null field) is the server's fault, not the document's.
    if (masked.path) {
      logger.error({ err: error, path: masked.path }, 'unexpected error');
      return new GraphQLError('Unexpected error.', { nodes: masked.nodes, path: masked.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
    }
    return new GraphQLError(masked.message, {
      nodes: masked.nodes,
      source: masked.source,
      positions: masked.positions,
      path: masked.path,
      extensions: { ...masked.extensions, code: codeOfLibraryError(masked) },
    });
  };
}
