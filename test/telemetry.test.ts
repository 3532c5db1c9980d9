import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from '../src/telemetry/startTelemetry.ts';
import { adminQuery, startTestHub, type TestHub } from './helpers.ts';

const exporter = new InMemorySpanExporter();
let hub: TestHub;
let telemetry: Telemetry;

beforeAll(async () => {
  // What the CLI does for start, node and gateway, with the spans kept in memory.
  telemetry = startTelemetry({ spanProcessors: [new SimpleSpanProcessor({ exporter: exporter })] });
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
  await telemetry?.shutdown();
});

describe('tracing', () => {
  it('puts the gateway operation, its node calls and the nodes\u2019 operations in one trace', async () => {
    exporter.reset();
    const result = await hub.query('xk-border-officer', 'query Feed { alerts(first: 5) { totalCount } }');
    expect(result.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans();
    const gateway = spans.find((span) => span.name === 'graphql.query Feed');
    expect(gateway).toBeDefined();
    const traceId = gateway!.spanContext().traceId;
    const inTrace = spans.filter((span) => span.spanContext().traceId === traceId);
    expect(inTrace.filter((span) => span.name === 'node.request').map((span) => span.attributes['hub.agency']).sort()).toEqual(['MK', 'XK']);
    const nodeOperations = inTrace.filter((span) => span.name === 'graphql.query Alerts');
    expect(nodeOperations.map((span) => span.attributes['hub.component']).sort()).toEqual(['node MK', 'node XK']);
    // Each node operation is the child of the gateway's call to that node.
    const calls = new Set(inTrace.filter((span) => span.name === 'node.request').map((span) => span.spanContext().spanId));
    for (const span of nodeOperations) expect(calls.has(span.parentSpanContext!.spanId)).toBe(true);

    // The consultation entry and the disclosures it caused share the trace id.
    const consultation = await adminQuery<{ trace_id: string }>(hub.hubDatabase.name, 'select trace_id from audit.entry order by seq desc limit 1');
    expect(consultation[0]!.trace_id).toBe(traceId);
    for (const agency of ['XK', 'MK']) {
      const disclosures = await adminQuery<{ trace_id: string }>(hub.nodes.get(agency)!.database.name, 'select trace_id from audit.entry where trace_id = $1', [traceId]);
      expect(disclosures).toHaveLength(1);
    }
  });
});
