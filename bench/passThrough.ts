// The baseline of the gateway's own cost: a plain GraphQL hop in front of one
// agency node. Yoga parses and validates the document against the node
// contract, as any gateway does, then forwards the client's document,
// variables and credentials to the node as they came and returns the node's
// answer. No merging, no audit, no identity check of its own: what is left
// between this and the gateway is the cost of merging and auditing.

import { readFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, type ExecutionResult } from 'graphql';
import { createYoga, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import { caseReferenceHeader, purposeHeader } from '../src/consent/declaredPurpose.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';

/** The headers a node reads; the pass-through forwards these and nothing else. */
export const forwardedHeaders = ['authorization', officerTokenHeader, purposeHeader, caseReferenceHeader];

export interface PassThrough {
  url: URL;
  stop(): Promise<void>;
}

/** Starts the pass-through to `nodeUrl` on 127.0.0.1, port 0. */
export async function startPassThrough(nodeUrl: URL): Promise<PassThrough> {
  const schema = buildSchema(await readFile(new URL('../contracts/node.graphql', import.meta.url), 'utf8'));
  const forward: Plugin = {
    onExecute({ setExecuteFn }) {
      setExecuteFn(async ({ contextValue }) => {
        const { request, params } = contextValue as YogaInitialContext;
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
        for (const name of forwardedHeaders) {
          const value = request.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        const response = await fetch(nodeUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: params.query, variables: params.variables, operationName: params.operationName }),
        });
        return (await response.json()) as ExecutionResult;
      });
    },
  };
  const yoga = createYoga({ schema, plugins: [forward], graphiql: false, logging: false, landingPage: false });
  return serveOnLoopback(yoga);
}

/** Serves `handler` on 127.0.0.1, port 0, at /graphql; `stop` closes every connection, then `dispose`s. */
export async function serveOnLoopback(handler: RequestListener, dispose: () => unknown = () => {}): Promise<PassThrough> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/graphql`),
    stop: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
      await dispose();
    },
  };
}
