import { SpanKind, SpanStatusCode, context, isSpanContextValid, propagation } from '@opentelemetry/api';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { tracer } from './tracer.ts';

/** Options for {@link useOperationSpans}. */
export interface OperationSpanOptions {
  /** Which service the spans belong to ("gateway", "node XK"). */
  component: string;
}

/** What a span needs of an execute or subscribe call's arguments. */
interface OperationArgs {
  contextValue: unknown;
  document: DocumentNode;
  operationName?: string | null | undefined;
}

/**
 * A span around the execution of every GraphQL operation, continuing the
 * caller's trace when the request carries W3C trace context: the gateway's
 * operation span is the parent of its node calls, and each node's operation
 * span is their child. Later, audit entries carry this trace id, so a
 * consultation and the disclosures it caused can be joined. For a
 * subscription the span covers its start (what is checked and logged before
 * the first event may flow); each push is traced as a request of its own.
 */
export function useOperationSpans({ component }: OperationSpanOptions): Plugin {
  const traced = <Result>(args: OperationArgs, run: () => Promise<Result>): Promise<Result> => {
    const request = (args.contextValue as { request?: Request }).request;
    const parent = request ? propagation.extract(context.active(), Object.fromEntries(request.headers)) : context.active();
    const operation = getOperationAST(args.document, args.operationName);
    const kind = operation?.operation ?? 'query';
    const operationName = operation?.name?.value ?? 'anonymous';
    // Who in the sense of which agency, and why: never the officer, the token, the variables or any record's data.
    const { officer, purpose, audit } = args.contextValue as { officer?: { agency: string }; purpose?: { code: string }; audit?: { traceId: string | null } };
    const attributes = {
      'graphql.operation.type': kind,
      'graphql.operation.name': operationName,
      'hub.component': component,
      ...(officer ? { 'hub.agency': officer.agency } : {}),
      ...(purpose ? { 'hub.purpose': purpose.code } : {}),
    };
    return tracer.startActiveSpan(`graphql.${kind} ${operationName}`, { kind: SpanKind.SERVER, attributes }, parent, async (span) => {
      // The audit entry of the operation carries the trace id, so that a consultation
      // and the disclosures it caused can be joined.
      if (audit && isSpanContextValid(span.spanContext())) audit.traceId = span.spanContext().traceId;
      try {
        const result = await run();
        // Error codes only: a message may quote what the client sent.
        const errors = (result as ExecutionResult | undefined)?.errors;
        if (errors?.length) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')).join(' ') });
        }
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'INTERNAL_SERVER_ERROR' });
        throw error;
      } finally {
        span.end();
      }
    });
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      setExecuteFn((execArgs) => traced(args, async () => executeFn(execArgs)));
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      setSubscribeFn((subscribeArgs) => traced(args, async () => subscribeFn(subscribeArgs)));
    },
  };
}
