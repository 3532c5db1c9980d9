import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';

/** The hub's tracer. Without an SDK registered (no OTEL_* settings) every span is a no-op. */
export const tracer = trace.getTracer('border-exchange-hub');

/** Runs `fn` inside an active span, recording failures on it. */
export async function inSpan<T>(name: string, attributes: Record<string, string | number>, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
