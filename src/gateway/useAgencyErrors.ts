import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from './context.ts';

/**
 * Adds the errors of agencies that did not answer to the response, next to
 * the data of those that did: a node that is down makes the answer partial,
 * not failed, and the client is told which agency is missing.
 */
export function useAgencyErrors(): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const pending = (args.contextValue as Partial<GatewayContext>).agencyErrors;
          if (!pending?.length || !('data' in result)) return;
          const single = result as ExecutionResult;
          setResult({ ...single, errors: [...(single.errors ?? []), ...pending] });
        },
      };
    },
  };
}
