import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from '../src/telemetry/startTelemetry.ts';
import { subscribeOverSse } from './hitSubscriber.ts';
import { adminQuery, purposeHeaders, startTestHub, waitUntil, type TestHub } from './helpers.ts';

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

  it("traces a subscription's start step by step, as an operator needs to see where a slow subscribe waits", async () => {
    exporter.reset();
    const stream = subscribeOverSse(hub.gatewayUrl, { authorization: `Bearer ${await hub.token('mk-border-officer')}`, ...purposeHeaders() }, 'subscription Watch { hits { cursor } }');
    try {
      const subscription = await waitUntil('the subscription span', async () => exporter.getFinishedSpans().find((span) => span.name === 'graphql.subscription Watch'));
      expect(subscription.attributes['hub.component']).toBe('gateway');
      const { traceId, spanId } = subscription.spanContext();
      // Its steps, each a child of it: where the feed starts, the connection taken, the consultation entry committed.
      const steps = exporter.getFinishedSpans().filter((span) => span.parentSpanContext?.spanId === spanId);
      expect(steps.map((span) => span.name).sort()).toEqual(['audit.append', 'feed.connectionCap', 'feed.start']);
      expect(steps.find((span) => span.name === 'audit.append')!.attributes['hub.audit.kind']).toBe('CONSULTATION');
      const [entry] = await adminQuery<{ trace_id: string; details: { subscription?: string } }>(
        hub.hubDatabase.name,
        `select trace_id, details from audit.entry where details->>'subscription' = 'hits' order by seq desc limit 1`,
      );
      expect(entry!.trace_id).toBe(traceId);
    } finally {
      stream.dispose();
    }
  });
});
