import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { trustedDocumentNamed } from '../gateway/trustedDocuments.ts';

/** The hits subscription as the partners agreed it in contracts/trusted-documents.graphql. */
export const hitsDocument = () => trustedDocumentNamed('Hits');

/** What `hub subscribe --to` follows: each subscription field, with the agreed document of contracts/trusted-documents.graphql. */
const subscriptions = { hits: 'Hits', alertShared: 'AlertShared', consentEvents: 'ConsentEvents' } as const;
type SubscriptionField = keyof typeof subscriptions;
const isSubscriptionField = (field: string): field is SubscriptionField => Object.hasOwn(subscriptions, field);

const usage = `hub subscribe --token <officer token> --purpose <purpose> [--case-reference <ref>] [--to hits|alertShared|consentEvents]
              [--after <cursor>] [--url ws://127.0.0.1:4000/graphql]

Prints every event of the subscription (default hits: the hits on your unit's watch entries; alertShared:
records of other agencies you may now see higher; consentEvents: consent requests to your agency if your
roles decide consent, and what happens to your unit's own) as one JSON line, as it happens. Give --after
the cursor of the last line to first get, in order, the events you missed.
`;

/**
 * `hub subscribe`: a graphql-ws client of one of the gateway's subscriptions
 * (hits unless --to says another), one JSON line per event on stdout. Resolves with the exit code: 0 when the
 * server completes the stream, 1 when it ends it with an error or closes the
 * socket (a refused or expired token closes with 4403).
 */
export async function runSubscribeCommand(
  args: string[],
  { out = process.stdout, err = process.stderr, signal }: { out?: NodeJS.WritableStream; err?: NodeJS.WritableStream; signal?: AbortSignal } = {},
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string', default: 'ws://127.0.0.1:4000/graphql' },
      token: { type: 'string', default: process.env.HUB_TOKEN },
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
  const field = values.to;
  const agreed = trustedDocumentNamed(subscriptions[field]);
  return new Promise<number>((resolve) => {
    signal?.addEventListener('abort', () => {
      void client.dispose();
      resolve(0);
    });
    const client = createClient({
      url: values.url,
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
