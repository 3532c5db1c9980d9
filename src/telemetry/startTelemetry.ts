import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { logger } from '../server/logger.ts';

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  /** Where OTEL_TRACES_EXPORTER is read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Span processors beside the exporters the environment asks for (tests collect spans in memory). Default none. */
  spanProcessors?: readonly SpanProcessor[];
}

/** What {@link startTelemetry} registered; `shutdown` flushes and unregisters it. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Registers OpenTelemetry for a process of the hub (start, node, gateway):
 * the AsyncLocalStorage context manager, so that a span stays active across
 * awaits; the W3C trace-context propagator, so that the gateway's calls carry
 * its trace to the nodes; and a tracer provider, so that spans get real trace
 * ids, which every audit entry records. Without the first two, each span would
 * start a trace of its own; without the provider, every span is a no-op and
 * entries carry no trace id.
 *
 * Spans are exported only when the environment asks for it, with the standard
 * variables: OTEL_TRACES_EXPORTER=otlp (the default once OTEL_EXPORTER_OTLP_ENDPOINT
 * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set) sends them over OTLP/HTTP in
 * batches, "console" writes them to stdout, "none" or nothing exports
 * nothing, and then a span costs next to nothing.
 */
export function startTelemetry({ env = process.env, spanProcessors: extra = [] }: TelemetryOptions = {}): Telemetry {
  const spanProcessors: SpanProcessor[] = [...extra];
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` : undefined);
  const requested = env.OTEL_TRACES_EXPORTER ?? (otlpEndpoint ? 'otlp' : 'none');
  for (const exporter of requested.split(',').map((name) => name.trim()).filter(Boolean)) {
    if (exporter === 'console') spanProcessors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
    else if (exporter === 'otlp') spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter(otlpEndpoint ? { url: otlpEndpoint } : {}) }));
    else if (exporter !== 'none') logger.warn({ exporter }, 'OTEL_TRACES_EXPORTER: exporter not available in this build (otlp, console, none); spans are not exported');
  }
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const provider = new TracerProvider({
    spanProcessors,
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'border-exchange-hub' }),
  });
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
