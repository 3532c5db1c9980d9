import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeIdentifier, normalizeSerial } from '../src/domain/normalize.ts';
import { riskLevel } from '../src/domain/risk.ts';
import { ConfigError, loadGatewayConfig, loadNodeConfig, loadStartConfig } from '../src/config.ts';

describe('identifier normalisation', () => {
  it.each([
    ['M70-481516', 'M70481516'],
    ['m70 481516', 'M70481516'],
    ['M7O.48I5I6', 'M70481516'],
    ['МО-12/34', 'M01234'], // Cyrillic М and О
  ])('folds case, separators, script and look-alikes of %s', (input, expected) => {
    expect(normalizeSerial(input)).toBe(expected);
  });

  it('keeps letters of plates and documents, folding only case, script and separators', () => {
    expect(normalizeIdentifier('SK 1234 AB')).toBe('SK1234AB');
    expect(normalizeIdentifier('СК-1234-АВ')).toBe('CK1234AB');
    expect(normalizeIdentifier('01-234-ab')).toBe('01234AB');
  });

  it('is idempotent and insensitive to separators (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.constantFrom(' ', '-', '.', '/'), (serial, separator) => {
        const once = normalizeSerial(serial);
        expect(normalizeSerial(once)).toBe(once);
        expect(normalizeSerial(serial.split('').join(separator))).toBe(once);
        expect(normalizeSerial(serial.toLowerCase())).toBe(normalizeSerial(serial.toUpperCase()));
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });
});

describe('CIRAM risk level', () => {
  it('grows with each component and spans all levels', () => {
    expect(riskLevel(1, 1, 1)).toBe('LOW');
    expect(riskLevel(2, 2, 2)).toBe('MEDIUM');
    expect(riskLevel(3, 3, 3)).toBe('HIGH');
    expect(riskLevel(4, 4, 4)).toBe('CRITICAL');
    const rank = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), (t, v, i) => {
        expect(rank.indexOf(riskLevel(t, v, i + 1))).toBeGreaterThanOrEqual(rank.indexOf(riskLevel(t, v, i)));
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('configuration', () => {
  it('has working defaults for the all-in-one start', () => {
    const config = loadStartConfig({});
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', agencies: ['XK', 'MK'], seedDemoData: true });
    expect(config.nodeDatabaseUrls.size).toBe(0);
  });

  it('fails fast naming every bad setting', () => {
    expect(() => loadStartConfig({ PORT: 'eighty', AGENCIES: 'XK,Kosovo', XK_DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    try {
      loadStartConfig({ PORT: 'eighty', AGENCIES: 'XK,Kosovo' });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/AGENCIES/);
    }
    expect(() => loadNodeConfig({ TRUST_LIST: 't.json' }, 'XK')).toThrow(/DATABASE_URL/);
    expect(() => loadGatewayConfig({ TRUST_LIST: 't', GATEWAY_SIGNING_KEY: 'k', AGENCY_NODES: 'XK=not a url' })).toThrow(/AGENCY_NODES/);
  });

  it('reads every gateway setting under `hub start` as `hub gateway` does: one gateway, one set of settings', () => {
    const settings = {
      NODE_TIMEOUT_MS: '1234',
      RATE_LIMIT_OPERATIONS_PER_OFFICER: '7',
      RATE_LIMIT_OPERATIONS_PER_UNIT: '70',
      RATE_LIMIT_SEARCHES_PER_OFFICER: '3',
      RATE_LIMIT_SEARCHES_PER_UNIT: '30',
      AUDIT_CHECKPOINT_INTERVAL: '30s',
      FEED_LEASE_TTL: '4s',
      NODE_ENV: 'production',
      GRAPHIQL: 'true',
      CORS_ORIGINS: 'https://console.police.example',
      TRUSTED_DOCUMENTS: 'true',
    };
    const start = loadStartConfig(settings);
    const gateway = loadGatewayConfig({
      ...settings,
      TRUST_LIST: 't.json',
      GATEWAY_SIGNING_KEY: 'k.json',
      AUDIT_DIGEST_KEY: 'd.json',
      DATABASE_URL: 'postgresql://hub@db/hub',
      AGENCY_NODES: 'XK=http://node-xk:4001/graphql',
    });
    expect(start.gateway).toEqual({
      nodeTimeoutMs: 1234,
      rateLimits: { operationsPerOfficer: 7, operationsPerUnit: 70, searchesPerOfficer: 3, searchesPerUnit: 30 },
      checkpointIntervalMs: 30_000,
      feedLeaseTtlMs: 4_000,
    });
    expect(gateway.gateway).toEqual(start.gateway);
    expect(gateway.publicApi).toEqual(start.publicApi);
    expect(start.publicApi).toEqual({ production: true, trustedDocumentsOnly: true, graphiql: true, introspection: false, corsOrigins: ['https://console.police.example'] });
    // And refuses a bad one by name, as the gateway would.
    expect(() => loadStartConfig({ RATE_LIMIT_SEARCHES_PER_UNIT: 'many' })).toThrow(/RATE_LIMIT_SEARCHES_PER_UNIT/);
    expect(() => loadStartConfig({ NODE_TIMEOUT_MS: '-1' })).toThrow(/NODE_TIMEOUT_MS/);
  });

  it('reads the production shape of the gateway', () => {
    const config = loadGatewayConfig({
      TRUST_LIST: '/etc/hub/trust-list.json',
      GATEWAY_SIGNING_KEY: '/run/secrets/gateway.jwk.json',
      AUDIT_DIGEST_KEY: '/run/secrets/audit-digest-gateway.jwk.json',
      DATABASE_URL: 'postgresql://hub:secret@db-hub:5432/hub',
      AGENCY_NODES: 'XK=http://node-xk:4001/graphql, MK=http://node-mk:4001/graphql',
    });
    expect([...config.nodes.keys()]).toEqual(['XK', 'MK']);
    expect(config.nodes.get('MK')!.href).toBe('http://node-mk:4001/graphql');
  });
});
