import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway/createGateway.ts';
import { graphql, startTestHub, type TestHub } from './helpers.ts';

// The gateway as `hub gateway` runs it with NODE_ENV=production: settings
// from the same config module, and what a security reviewer checks.

let hub: TestHub;
let production: Gateway;
let url: URL;
let token: string;

beforeAll(async () => {
  hub = await startTestHub();
  const settings = loadGatewayConfig({
    NODE_ENV: 'production',
    DATABASE_URL: hub.hubDatabase.applicationUrl,
    TRUST_LIST: '/etc/hub/trust-list.json',
    GATEWAY_SIGNING_KEY: '/etc/hub/gateway.private.jwk.json',
    AUDIT_DIGEST_KEY: '/etc/hub/audit-digest-gateway.secret.jwk.json',
    AGENCY_NODES: [...hub.nodes].map(([agency, node]) => `${agency}=${node.url.href}`).join(','),
    CORS_ORIGINS: 'https://console.police.example',
  }).publicApi;
  expect(settings).toEqual({ production: true, trustedDocumentsOnly: false, graphiql: false, introspection: false, corsOrigins: ['https://console.police.example'] });
  production = createGateway({
    trustList: hub.trustList,
    databaseUrl: hub.hubDatabase.applicationUrl,
    nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])),
    signer: hub.keys.gateway,
    auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!,
    graphiql: settings.graphiql,
    introspection: settings.introspection,
    corsOrigins: settings.corsOrigins,
  });
  url = await production.start();
  token = await hub.token('xk-border-officer');
});
afterAll(async () => {
  await production?.stop();
  await hub?.[Symbol.asyncDispose]();
});

describe('production mode', () => {
  it('serves no GraphiQL and answers no introspection', async () => {
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    await page.body?.cancel();
    const introspection = await graphql(url, '{ __schema { types { name } } }', {}, { token });
    expect(introspection.data ?? null).toBeNull();
    expect(introspection.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const typeName = await graphql(url, '{ __type(name: "Alert") { fields { name } } }', {}, { token });
    expect(typeName.data ?? null).toBeNull();
  });

  it('suggests no field, argument or enum value, in the document or in variables', async () => {
    const probes: [string, Record<string, unknown>][] = [
      ['{ alertz { totalCount } }', {}],
      ['{ alerts(frist: 5) { totalCount } }', {}],
      ['{ alerts(filter: { kinds: [SEIZUR] }) { totalCount } }', {}],
      ['query($k: [AlertKind!]) { alerts(filter: { kinds: $k }) { totalCount } }', { k: ['SEIZUR'] }],
      ['query($f: AlertFilter) { alerts(filter: $f) { totalCount } }', { f: { kindz: ['SEIZURE'] } }],
    ];
    for (const [query, variables] of probes) {
      const result = await graphql(url, query, variables, { token });
      expect(result.errors?.length, query).toBeGreaterThan(0);
      for (const error of result.errors ?? []) {
        expect(error.message, query).not.toMatch(/did you mean/i);
        // The schema's own names appear only where the client wrote them.
        if (!JSON.stringify([query, variables]).includes('SEIZURE')) expect(error.message, query).not.toMatch(/SEIZURE/);
        expect(error.message, query).not.toMatch(/"(alerts|first|kinds)"/);
        expect(error.extensions, query).not.toHaveProperty('originalError');
      }
    }
  });

  it('answers a truncated or malformed JSON body with BAD_REQUEST in its own words, never the parser\'s exception', async () => {
    const bodies = ['{"query": "{ viewer { sub } }"', '{"query": "{ viewer { sub } }", }', 'not json'];
    const officerToken = token;
    for (const target of [url, hub.nodes.get('XK')!.url]) {
      for (const body of bodies) {
        const response = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${officerToken}` },
          body,
        });
        expect(response.status, body).toBe(400);
        const answer = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
        expect(answer.errors).toHaveLength(1);
        expect(answer.errors[0]!.extensions.code).toBe('BAD_REQUEST');
        expect(answer.errors[0]!.extensions).not.toHaveProperty('originalError');
        expect(answer.errors[0]!.message).toBe('The request body is not valid JSON.');
        expect(JSON.stringify(answer)).not.toMatch(/SyntaxError|position|Unexpected/);
      }
    }
  });

  it('gives CORS to the listed origin only, without credentials', async () => {
    const preflight = (origin: string) =>
      fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    const listed = await preflight('https://console.police.example');
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://console.police.example');
    expect(listed.headers.get('access-control-allow-credentials')).not.toBe('true');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    const simple = await fetch(url, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ viewer { sub } }' }) });
    expect(simple.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    await Promise.all([listed.body?.cancel(), other.body?.cancel(), simple.body?.cancel()]);
  });
});
