import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers, startTestHub, purposeHeaders, type TestHub } from './helpers.ts';

// What a security review checks on the wire: JSON bodies only, with a coded
// 415 for anything else, and the response headers of every endpoint.

let hub: TestHub;
let token: string;

beforeAll(async () => {
  hub = await startTestHub();
  token = await hub.token('xk-border-officer');
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const post = (url: URL, contentType: string | null, body: string) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...purposeHeaders(), ...(contentType ? { 'content-type': contentType } : {}) },
    body,
  });

describe('request bodies', () => {
  it('refuse forms, text, multipart and GraphQL documents with 415 and a code, at the gateway and the nodes', async () => {
    const query = '{ viewer { sub } }';
    const cases: [string | null, string][] = [
      ['application/x-www-form-urlencoded', `query=${encodeURIComponent(query)}`],
      ['text/plain', JSON.stringify({ query })],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query })}\r\n--x--`],
      ['application/graphql', query],
    ];
    for (const url of [hub.gatewayUrl, hub.nodes.get('XK')!.url]) {
      for (const [type, body] of cases) {
        const response = await post(url, type, body);
        expect(response.status, `${url} ${type}`).toBe(415);
        const result = (await response.json()) as { errors: { extensions: { code: string } }[] };
        expect(result.errors[0]!.extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
    }
    const json = await post(hub.gatewayUrl, 'application/json; charset=utf-8', JSON.stringify({ query }));
    expect(json.status).toBe(200);
    expect(((await json.json()) as any).data.viewer.sub).toBe(demoUsers['xk-border-officer'].sub);
  });
});

describe('response headers', () => {
  it('forbid sniffing, caching and referrers on every response, success or refusal', async () => {
    const stream = new AbortController();
    try {
      for (const response of [
        await post(hub.gatewayUrl, 'application/json', JSON.stringify({ query: '{ viewer { sub } }' })),
        await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { sub } }' }) }),
        await post(hub.gatewayUrl, 'text/plain', 'x'),
        // A subscription as server-sent events: every hit it pushes is operational data too.
        await fetch(hub.gatewayUrl, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, ...purposeHeaders(), 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query: 'subscription { hits { cursor } }' }),
          signal: stream.signal,
        }),
        // The auditors' console and its scripts.
        await fetch(new URL('/console', hub.gatewayUrl)),
        await fetch(new URL('/console/console.js', hub.gatewayUrl)),
        // The joint picture and its scripts: statistics of both agencies.
        await fetch(new URL('/picture', hub.gatewayUrl)),
        await fetch(new URL('/picture/picture.js', hub.gatewayUrl)),
      ]) {
        expect(response.status, `${response.url}: a page that is there`).not.toBe(404);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect([response.headers.get('content-type'), response.headers.get('cache-control')]).toEqual([response.headers.get('content-type'), 'no-store']);
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        if (!response.headers.get('content-type')?.startsWith('text/event-stream')) await response.body?.cancel();
      }
    } finally {
      stream.abort();
    }
  });
});
