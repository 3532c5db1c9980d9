import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from '../src/telemetry/startTelemetry.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { demoUsers, startTestHub, type TestHub } from './helpers.ts';

// The standard OTEL_* variables switch on OTLP export with the official SDK:
// a collector on this machine receives the spans, which say which agency did
// what for which purpose, and nothing personal, no token.

let collector: Server;
const received: string[] = [];
let telemetry: Telemetry;
let hub: TestHub;

beforeAll(async () => {
  collector = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(`${request.url} ${body}`);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  telemetry = startTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'hub-under-test' } });
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
  await telemetry?.shutdown();
  await new Promise((resolve) => collector?.close(resolve));
});

describe('OpenTelemetry export', () => {
  it('sends spans over OTLP/HTTP with agency, purpose and operation, and no personal data or token', async () => {
    const token = await hub.token('xk-border-officer');
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ vehicles: [{ role: 'CONCEALMENT', plate: 'ZZ-999-QQ', plateCountry: 'XK' }] }) });
    expect(created.errors).toBeUndefined();
    await hub.query('mk-border-officer', `query FindPlate($plate: String!) { search(input: { plate: $plate }) { outcome } }`, { plate: 'ZZ-999-QQ' });
    await telemetry.shutdown(); // flushes the batch
    const exported = received.join('\n');
    expect(exported).toMatch(/\/v1\/traces/);
    expect(exported).toContain('hub-under-test');
    for (const expected of ['graphql.mutation Create', 'graphql.query FindPlate', 'hub.agency', 'hub.purpose', 'CRIMINAL_INVESTIGATION', 'graphql.operation.name']) {
      expect(exported, expected).toContain(expected);
    }
    for (const secret of [token, token.split('.')[1]!, 'ZZ-999-QQ', 'ZZ999QQ', demoUsers['xk-border-officer'].sub, 'Krasniqi', 'P01234567']) {
      expect(exported, 'a span carries personal data or a token').not.toContain(secret);
    }
  });
});
