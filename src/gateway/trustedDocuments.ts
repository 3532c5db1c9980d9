import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import { getOperationAST, parse } from 'graphql';
import { z } from 'zod';
import { ErrorCode } from '../errors.ts';

/** Where the agreed operations of the partners' clients are committed. */
export const trustedDocumentsPath = fileURLToPath(new URL('../../contracts/trusted-documents.json', import.meta.url));

/** A document's id: the SHA-256 of its text, as GraphQL clients' persisted-document tooling computes it. */
export const documentId = (document: string) => `sha256:${createHash('sha256').update(document).digest('hex')}`;

const manifestSchema = z.record(z.string().regex(/^sha256:[0-9a-f]{64}$/), z.string().min(1));

/**
 * Reads the trusted documents (id → document) and checks each id against
 * its document, so that a hand-edited manifest cannot smuggle a document in
 * under another's id.
 */
export function loadTrustedDocuments(path = trustedDocumentsPath): ReadonlyMap<string, string> {
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const documents = new Map<string, string>();
  for (const [id, document] of Object.entries(manifest)) {
    if (documentId(document) !== id) throw new Error(`trusted documents: ${id} is not the id of its document`);
    documents.set(id, document);
  }
  return documents;
}

/**
 * The trusted document of the operation `name`, for the hub's own clients
 * (the CLI), so that they send exactly the agreed text under its id.
 */
export function trustedDocumentNamed(name: string, documents: ReadonlyMap<string, string> = loadTrustedDocuments()): { id: string; document: string } {
  for (const [id, document] of documents) {
    const operation = getOperationAST(parse(document));
    if (operation?.name?.value === name) return { id, document };
  }
  throw new Error(`trusted documents: no operation named ${name}`);
}

/**
 * How one of the hub's own pages (the console, the joint picture) is to send
 * its operations, served to it as hub.json: as text, or, on a hub that runs
 * trusted documents only, by the id of each agreed document whose operation's
 * name starts with the page's `prefix`.
 */
export function pageDocumentSettings(trustedDocuments: ReadonlyMap<string, string> | undefined, prefix: string): string {
  const documentIds: Record<string, string> = {};
  for (const [id, document] of trustedDocuments ?? []) {
    const name = getOperationAST(parse(document))?.name?.value;
    if (name?.startsWith(prefix)) documentIds[name] = id;
  }
  return JSON.stringify({ trustedDocuments: trustedDocuments !== undefined, documentIds });
}

/** The id a request names: `documentId` (GraphQL over HTTP persisted documents) or Apollo's `extensions.persistedQuery.sha256Hash`. */
export function requestedDocumentId(params: { documentId?: unknown; extensions?: Record<string, unknown> | null }): string | null {
  if (typeof params.documentId === 'string') return params.documentId;
  const hash = (params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  return typeof hash === 'string' ? `sha256:${hash}` : null;
}

/** The refusal of a document that is not one of the trusted ones. */
export const untrustedDocumentMessage =
  'This hub runs only the trusted documents agreed in contracts/trusted-documents.json: send "documentId" (sha256:<hex of the document>) instead of a query.';

/**
 * With trusted documents on, the gateway runs only the operations agreed in
 * contracts/ (Yoga's persisted operations): a request names a document by
 * id, and a request with a document of its own, or an unknown id, is refused
 * with DOCUMENT_NOT_TRUSTED before it is parsed.
 */
export function useTrustedDocuments(documents: ReadonlyMap<string, string>): Plugin {
  const refusal = { message: untrustedDocumentMessage, extensions: { code: ErrorCode.DOCUMENT_NOT_TRUSTED, http: { status: 400 } } };
  return usePersistedOperations({
    allowArbitraryOperations: false,
    extractPersistedOperationId: (params) => requestedDocumentId(params as never),
    getPersistedOperation: (id) => documents.get(id) ?? null,
    customErrors: { notFound: refusal, persistedQueryOnly: refusal, keyNotFound: refusal },
  }) as Plugin;
}
