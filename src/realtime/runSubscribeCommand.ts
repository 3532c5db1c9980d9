import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadDataDir } from '../config.ts';
import { trustedDocumentNamed } from '../gateway/trustedDocuments.ts';
import { readRunningHub, webSocketUrlOf } from '../hub/runningHub.ts';

/** The hits subscription as the partners agreed it in contracts/trusted-documents.graphql. */
export const hitsDocument = () => trustedDocumentNamed('Hits');

/** What `hub subscribe --to` follows: each subscription field, with the agreed document of contracts/trusted-documents.graphql. */
const subscriptions = { hits: 'Hits', alertShared: 'AlertShared', consentEvents: 'ConsentEvents' } as const;
type SubscriptionField = keyof typeof subscriptions;
const isSubscriptionField = (field: string): field is SubscriptionField => Object.hasOwn(subscriptions, field);

const usage = `hub subscribe --token <officer token> --purpose <purpose> [--case-reference <ref>] [--to hits|alertShared|consentEvents]
              [--after <cursor>] [--url ws://host:port/graphql]

Prints every event of the subscription (default hits: the hits on your unit's watch entries; alertShared:
records of other agencies you may now see higher; consentEvents: consent requests to your agency if your
roles decide consent, and what happens to your unit's own) as one JSON line, as it happens. Give --after
the cursor of the last line to first get, in order, the events you missed. Without --url, dials the hub
that npm start runs in DATA_DIR (default .data).
`;

/**
 * `hub subscribe`: a graphql-ws client of one of the gateway's subscriptions
 * (hits unless --to says another), one JSON line per event on stdout. Resolves with the exit code: 0 when the
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
      to: { type: 'string', default: 'hits' },
    },
  });
  if (!values.token || !values.purpose || !isSubscriptionField(values.to)) {
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
  const field = values.to;
  const agreed = trustedDocumentNamed(subscriptions[field]);
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
      { query: agreed.document, extensions: { persistedQuery: { version: 1, sha256Hash: agreed.id.slice('sha256:'.length) } }, variables: values.after ? { after: values.after } : {} },
      {
        next: (result) => {
          if (result.errors) err.write(`${JSON.stringify(result.errors)}\n`);
          if (result.data) out.write(`${JSON.stringify(result.data[field])}\n`);
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
