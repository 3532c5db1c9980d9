import { SpanKind, SpanStatusCode, context, isSpanContextValid, propagation } from '@opentelemetry/api';
import { getOperationAST, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { tracer } from './tracer.ts';

/** Options for {@link useOperationSpans}. */
export interface OperationSpanOptions {
  /** Which service the spans belong to ("gateway", "node XK"). */
  component: string;
}

/**
 * A span around the execution of every GraphQL operation, continuing the
 * caller's trace when the request carries W3C trace context: the gateway's
 * operation span is the parent of its node calls, and each node's operation
 * span is their child. Later, audit entries carry this trace id, so a
 * consultation and the disclosures it caused can be joined.
 */
export function useOperationSpans({ component }: OperationSpanOptions): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      const parent = request ? propagation.extract(context.active(), Object.fromEntries(request.headers)) : context.active();
      const operation = getOperationAST(args.document, args.operationName);
      const kind = operation?.operation ?? 'query';
      const operationName = operation?.name?.value ?? 'anonymous';
      const name = `graphql.${kind} ${operationName}`;
      // Who in the sense of which agency, and why: never the officer, the token, the variables or any record's data.
      const { officer, purpose } = args.contextValue as { officer?: { agency: string }; purpose?: { code: string } };
      const attributes = {
        'graphql.operation.type': kind,
        'graphql.operation.name': operationName,
        'hub.component': component,
        ...(officer ? { 'hub.agency': officer.agency } : {}),
        ...(purpose ? { 'hub.purpose': purpose.code } : {}),
      };
      setExecuteFn((execArgs) =>
        tracer.startActiveSpan(
          name,
          { kind: SpanKind.SERVER, attributes },
          parent,
          async (span) => {
            // The audit entry of the operation carries the trace id, so that a consultation
            // and the disclosures it caused can be joined.
            const audit = (execArgs.contextValue as { audit?: { traceId: string | null } }).audit;
            if (audit && isSpanContextValid(span.spanContext())) audit.traceId = span.spanContext().traceId;
            try {
              const result = (await executeFn(execArgs)) as ExecutionResult;
              // Error codes only: a message may quote what the client sent.
              if (result.errors?.length) {
                span.setStatus({ code: SpanStatusCode.ERROR, message: result.errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')).join(' ') });
              }
              return result;
            } catch (error) {
              span.setStatus({ code: SpanStatusCode.ERROR, message: 'INTERNAL_SERVER_ERROR' });
              throw error;
            } finally {
              span.end();
            }
          },
        ),
      );
    },
  };
}
