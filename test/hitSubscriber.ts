import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { webSocketUrl } from './helpers.ts';

/** Where a subscription cursor stands in each source (read, not checked: the gateway alone checks its signature). */
export const cursorPositions = (cursor: string): Record<string, number> => JSON.parse(Buffer.from(cursor.split('.')[0]!, 'base64url').toString()).p;

/** What a graphql-ws subscriber saw: every payload, and how its socket ended. */
export interface Subscriber {
  /** Whose token it connected with (undefined: none). */
  sub?: string;
  events: any[];
  errors: unknown[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once the server acknowledged connection_init. */
  connected: Promise<void>;
  /** Resolves once `count` events have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<any[]>;
  dispose(): Promise<void>;
}

export const hitsSubscription = /* GraphQL */ `
  subscription Hits($after: String) {
    hits(after: $after) {
      cursor watchEntryId matchedOn match score retro at
      owner { code }
      alert {
        id localId reference kind owner { code }
        contactPoint { unitName }
        access { tier basis grantId purpose caseReference }
        summary { title firearms { serialNumber } }
        personalData { subjects { familyName } vehicles { plate } }
      }
    }
  }
`;

/** Subscribes over a real WebSocket with the graphql-ws client, as any client would. */
export function subscribe(
  url: URL,
  connectionParams: Record<string, unknown> | null,
  query: string = hitsSubscription,
  variables: Record<string, unknown> = {},
): Subscriber {
  const events: any[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  let resolveConnected!: () => void;
  const connected = new Promise<void>((resolve) => (resolveConnected = resolve));
  const client: Client = createClient({
    url: webSocketUrl(url),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    ...(connectionParams ? { connectionParams } : {}),
    on: {
      connected: () => resolveConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolveClosed({ code, reason: String(reason) });
      },
    },
    onNonLazyError: () => {},
  });
  client.subscribe(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) events.push(Object.values(value.data)[0]);
        for (const wake of waiters.splice(0)) wake();
      },
      error: (error) => {
        errors.push(error);
        for (const wake of waiters.splice(0)) wake();
      },
      complete: () => {},
    },
  );
  return {
    events,
    errors,
    closed,
    connected,
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`waited for ${count} events, got ${events.length} (errors: ${JSON.stringify(errors)})`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return events.slice(0, count);
    },
    async dispose() {
      await client.dispose();
    },
  };
}
