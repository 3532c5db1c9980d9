import { readFile } from 'node:fs/promises';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printTrustedDocuments } from '../src/contracts.ts';
import { createGateway, type Gateway } from '../src/gateway/createGateway.ts';
import { gatewaySchema } from '../src/gateway/schema/index.ts';
import { documentId, loadTrustedDocuments, trustedDocumentsPath } from '../src/gateway/trustedDocuments.ts';
import { codes, openSocket, purposeHeaders, startTestHub, type TestHub } from './helpers.ts';

// Trusted documents: the operations of contracts/trusted-documents.graphql,
// committed with their ids; with the option on, the gateway runs those and
// nothing else.

let hub: TestHub;
let gateway: Gateway;
let url: URL;
let token: string;
const documents = loadTrustedDocuments();
const idOf = (name: string) => [...documents].find(([, document]) => document.startsWith(`query ${name}`) || document.startsWith(`mutation ${name}`))![0];

beforeAll(async () => {
  hub = await startTestHub();
  gateway = createGateway({
    trustList: hub.trustList,
    databaseUrl: hub.hubDatabase.applicationUrl,
    nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])),
    signer: hub.keys.gateway,
    auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!,
    graphiql: false,
    trustedDocuments: documents,
  });
  url = await gateway.start();
  token = await hub.token('xk-border-officer');
});
afterAll(async () => {
  await gateway?.stop();
  await hub?.[Symbol.asyncDispose]();
});

const send = async (body: Record<string, unknown>) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...purposeHeaders() },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as { data?: any; errors?: any[] }) };
};

describe('trusted documents', () => {
  it('are committed with their ids and are valid against the gateway schema', async () => {
    expect(await readFile(trustedDocumentsPath, 'utf8')).toBe(await printTrustedDocuments());
    expect(documents.size).toBeGreaterThanOrEqual(8);
    for (const [id, document] of documents) {
      expect(documentId(document)).toBe(id);
      expect(validate(gatewaySchema, parse(document)).map((error) => error.message), document.slice(0, 40)).toEqual([]);
    }
  });

  it('run by id, and nothing else runs: neither a document of the client nor an unknown id', async () => {
    const viewer = await send({ documentId: idOf('Viewer') });
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data.viewer.agency).toBe('XK');
    const apollo = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: idOf('Alerts').slice('sha256:'.length) } }, variables: { first: 2 } });
    expect(apollo.errors).toBeUndefined();
    expect(apollo.data.alerts.edges.length).toBeLessThanOrEqual(2);
    for (const refused of [
      await send({ query: '{ viewer { sub } }' }),
      await send({ documentId: documentId('{ viewer { sub } }') }),
      await send({ documentId: 'sha256:nonsense' }),
      await send({}),
    ]) {
      expect(refused.status).toBe(400);
      expect(codes(refused as never)).toEqual(['DOCUMENT_NOT_TRUSTED']);
    }
  });

  it('hold over graphql-ws too: by id, or the agreed text itself, and nothing else', async () => {
    const socket = openSocket(url, { authorization: `Bearer ${token}`, purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' });
    try {
      const raw = await socket.run('{ viewer { sub } }');
      expect(codes(raw as never)).toEqual(['DOCUMENT_NOT_TRUSTED']);
      const agreed = await socket.run(documents.get(idOf('Viewer'))!);
      expect(agreed.errors).toBeUndefined();
      expect((agreed.data as any).viewer.agency).toBe('XK');
      // The socket is still open for the next operation.
      expect(socket.connections()).toBe(1);
    } finally {
      await socket[Symbol.asyncDispose]();
    }
  });
});
