// A maintained GraphQL gateway beside ours, as the yardstick of issue 21:
// Hive Gateway (@graphql-hive/gateway-runtime) in proxy mode in front of one
// agency node. It validates the client's document against the node contract
// (given as SDL: nothing is fetched, no introspection, no Hive CDN, no usage
// reporting, so it runs on a closed network) and forwards it to the node with
// the headers the node reads. Like the home-made pass-through it neither
// merges nor audits: what our gateway costs beyond it is its own work.

import { readFile } from 'node:fs/promises';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { forwardedHeaders, serveOnLoopback, type PassThrough } from './passThrough.ts';

/** Starts Hive Gateway proxying `nodeUrl`, on 127.0.0.1, port 0. */
export async function startHiveProxy(nodeUrl: URL): Promise<PassThrough> {
  const schema = await readFile(new URL('../contracts/node.graphql', import.meta.url), 'utf8');
  const gateway = createGatewayRuntime({
    // Its HTTP executor sends one request upstream for identical queries in flight at once and hands every
    // client the same answer. The bench's requests are identical (same document, same token), so with 8 in
    // flight it would measure one node request in eight. Our gateway cannot do that (each request is the
    // officer's own, decided and logged on its own): off, so both do the same work.
    proxy: { endpoint: nodeUrl.href, deduplicateInflightRequests: false },
    schema,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => {
        const headers: Record<string, string> = {};
        for (const name of forwardedHeaders) {
          const value = request.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        return headers;
      },
    },
    logging: process.env.LOG_LEVEL === 'debug' ? 'debug' : false,
    graphiql: false,
    landingPage: false,
  });
  return serveOnLoopback(gateway, () => gateway.dispose());
}
