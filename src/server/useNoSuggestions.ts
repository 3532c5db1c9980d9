import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** graphql-js's "Did you mean …?" hints: they spell out the schema's fields, arguments and enum values to whoever probes. */
const suggestion = /\s*Did you mean [^?]*\?\s*$/s;

function withoutSuggestion(error: GraphQLError): GraphQLError {
  if (!suggestion.test(error.message)) return error;
  return new GraphQLError(error.message.replace(suggestion, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/**
 * Removes graphql-js's suggestions from every error, whoever asks: from
 * validation (unknown fields, arguments, enum literals) and from the coercion
 * of variables (unknown enum values, input fields), over HTTP and WebSocket
 * alike. graphql-armor's blockFieldSuggestion covers fields only.
 */
export function useNoSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map((error) => (error instanceof GraphQLError ? withoutSuggestion(error) : error)));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          const single = result as ExecutionResult;
          if (!single.errors?.some((error) => suggestion.test(error.message))) return;
          setResult({ ...single, errors: single.errors.map(withoutSuggestion) });
        },
      };
    },
  };
}
