import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { logger } from '../src/server/logger.ts';
import { createMaskError } from '../src/server/maskError.ts';

const mask = createMaskError(logger);

describe('codes of errors graphql-js raises itself', () => {
  it('are GRAPHQL_VALIDATION_FAILED for a document that does not validate', () => {
    const masked = mask(new GraphQLError('Cannot query field "nonsense" on type "Query".'), 'Unexpected error.') as GraphQLError;
    expect(masked.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('are INTERNAL_SERVER_ERROR, masked, for a field that fails while executing: the fault is the server’s', () => {
    const raised = new GraphQLError('Abstract type "Node" must resolve to an Object type at runtime for field "Query.node".', { path: ['node'] });
    const masked = mask(raised, 'Unexpected error.') as GraphQLError;
    expect(masked.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(masked.message).toBe('Unexpected error.');
    expect(masked.path).toEqual(['node']);
  });
});
