import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { auditUnavailable } from '../audit/auditErrors.ts';
import { outcomeOf } from '../audit/useAuditLog.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { endedWith } from './feedStream.ts';

/**
 * Writes the consultation entry of every push of a subscription over the
 * hub's feed, once the push is resolved and before it leaves, as a query's
 * entry is written once it has run: the entry names what the push's fields
 * released, at their tier, for the subscriber's purpose and case. The log
 * cannot take it: the push is not sent, and the subscription ends with
 * AUDIT_UNAVAILABLE carrying the cursor of the last push that was (the
 * stream then passes nothing it did not deliver and log). A push that
 * resolved to errors only is logged as refused and ends the stream the same
 * way, with the cursor before it: its event was not delivered. Over HTTP
 * (server-sent events) and graphql-ws alike: both run subscriptions through
 * the gateway's plugins.
 */
export function useFeedPushLog(): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args }) {
          const context = args.contextValue as Partial<GatewayContext>;
          return {
            async onNext({ result }) {
              const push = context.feedPush;
              if (!push || !context.audit || !context.feed || !context.auditWriter) return;
              context.feedPush = null;
              const { outcome, errorCode } = outcomeOf(result as ExecutionResult);
              try {
                await context.auditWriter.append(context.audit.entry('CONSULTATION', outcome, errorCode));
                context.audit.written = true;
              } catch (error) {
                context.feed.logger.error({ err: error, subscription: push.field }, 'audit entry of a push could not be written; push withheld, subscription ended');
                throw endedWith(context as GatewayContext, auditUnavailable(), push.previous);
              }
              // A push that resolved to nothing but errors (a refusal while it was resolved: a key withdrawn, a node's
              // denial) did not deliver its event: it is logged as refused, and ends the stream before it.
              const { data, errors } = result as ExecutionResult;
              if (data == null && errors?.length) throw endedWith(context as GatewayContext, errors[0], push.previous);
            },
          };
        },
      };
    },
  };
}
