import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadDataDir } from '../config.ts';
import { trustedDocumentNamed } from '../gateway/trustedDocuments.ts';
import { readRunningHub, webSocketUrlOf } from '../hub/runningHub.ts';

/** The hits subscription as the partners agreed it in contracts/trusted-documents.graphql. */
export const hitsDocument = () => trustedDocumentNamed('Hits');

const usage = `hub subscribe --token <officer token> --purpose <purpose> [--case-reference <ref>] [--after <cursor>] [--url ws://host:port/graphql]

Prints every hit on your unit's watch entries as one JSON line, as it happens. Give --after the cursor
of the last line to first get, in order, the hits you missed. Without --url, dials the hub that
npm start runs in DATA_DIR (default .data).
`;

/**
 * `hub subscribe`: a graphql-ws client of the gateway's hits subscription,
 * one JSON line per hit on stdout. Resolves with the exit code: 0 when the
 * server completes the stream, 1 when it ends it with an error or closes the
 * socket (a refused or expired token closes with 4403).
 */
export async function runSubscribeCommand(
  args: string[],
  {
    out = process.stdout,
    err = process.stderr,
    env = process.env,
    signal,
  }: { out?: NodeJS.WritableStream; err?: NodeJS.WritableStream; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      token: { type: 'string', default: env.HUB_TOKEN },
      purpose: { type: 'string' },
      'case-reference': { type: 'string' },
      after: { type: 'string' },
    },
  });
  if (!values.token || !values.purpose) {
    err.write(usage);
    return 2;
  }
  // Not a fixed port: the hub of this DATA_DIR may listen on any (PORT, or 0 in tests).
  let url = values.url;
  if (url === undefined) {
    const dataDir = loadDataDir(env);
    const hub = await readRunningHub(dataDir);
    if (!hub) {
      err.write(`no running hub found in ${dataDir}: start one with npm start (same DATA_DIR), or give --url\n`);
      return 2;
    }
    url = webSocketUrlOf(hub.gatewayUrl);
  }
  const hits = hitsDocument();
  return new Promise<number>((resolve) => {
    signal?.addEventListener('abort', () => {
      void client.dispose();
      resolve(0);
    });
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: {
        authorization: `Bearer ${values.token}`,
        purpose: values.purpose,
        ...(values['case-reference'] ? { caseReference: values['case-reference'] } : {}),
      },
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          if (code !== 1000) {
            err.write(`connection closed: ${code} ${reason}\n`);
            resolve(1);
          }
        },
      },
    });
    client.subscribe(
      // By id as well, so that a gateway running trusted documents only runs it too.
      { query: hits.document, extensions: { persistedQuery: { version: 1, sha256Hash: hits.id.slice('sha256:'.length) } }, variables: values.after ? { after: values.after } : {} },
      {
        next: (result) => {
          if (result.errors) err.write(`${JSON.stringify(result.errors)}\n`);
          if (result.data) out.write(`${JSON.stringify(result.data.hits)}\n`);
        },
        error: (error) => {
          err.write(`${error instanceof Error ? error.message : JSON.stringify(error)}\n`);
          void client.dispose();
          resolve(1);
        },
        complete: () => {
          void client.dispose();
          resolve(0);
        },
      },
    );
  });
}
