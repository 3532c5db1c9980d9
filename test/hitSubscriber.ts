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
  /** Resolves once the subscription ended: completed by the server, or ended with an error (in `errors`). */
  ended: Promise<void>;
  /** The errors of the subscription's results and of its end, one list (graphql-ws hands an operation's errors over as an array). */
  graphqlErrors(): { message: string; extensions?: Record<string, any> }[];
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

/** consentEvents, with the request as the subscriber may read it. */
export const consentEventsSubscription = /* GraphQL */ `
  subscription ConsentEvents($after: String) {
    consentEvents(after: $after) {
      cursor kind at owner { code }
      request { id alertId alertReference createdAt status tier dueAt overdue requestingAgency requestingUnit decisionReason grant { id tier expiresAt revokedAt } }
    }
  }
`;

/** alertShared, with the alert's access and a field of each tier. */
export const alertSharedSubscription = /* GraphQL */ `
  subscription AlertShared($after: String) {
    alertShared(after: $after) {
      cursor cause at owner { code }
      alert { id localId reference access { tier basis grantId purpose caseReference } summary { title } personalData { subjects { familyName } } }
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
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
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
        resolveEnded();
      },
      complete: () => resolveEnded(),
    },
  );
  return {
    events,
    errors,
    closed,
    connected,
    ended,
    graphqlErrors: () => errors.flatMap((error) => (Array.isArray(error) ? error : [error])) as { message: string; extensions?: Record<string, any> }[],
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

/** What a subscriber over server-sent events saw: every `next` payload, the errors, and whether the server completed the stream. */
export interface SseSubscriber {
  events: any[];
  errors: { message: string; extensions?: Record<string, any> }[];
  /** Resolves once the server completed the stream (or the connection ended). */
  completed: Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<any[]>;
  dispose(): void;
}

/** Subscribes over server-sent events (POST with Accept: text/event-stream), as a client that cannot hold a socket would. */
export function subscribeOverSse(url: URL, headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}): SseSubscriber {
  const events: any[] = [];
  const errors: SseSubscriber['errors'] = [];
  const controller = new AbortController();
  const completed = (async () => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body: JSON.stringify({ query, variables }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (message.startsWith('event: complete')) return;
          const data = /^event: next\ndata: (.*)$/s.exec(message)?.[1];
          if (!data) continue;
          const result = JSON.parse(data) as { data?: Record<string, unknown> | null; errors?: SseSubscriber['errors'] };
          if (result.errors) errors.push(...result.errors);
          if (result.data) events.push(Object.values(result.data)[0]);
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) errors.push({ message: String(error) });
    }
  })();
  return {
    events,
    errors,
    completed,
    async waitFor(count, timeoutMs = 30_000) {
      for (const deadline = Date.now() + timeoutMs; events.length < count; ) {
        if (Date.now() > deadline) throw new Error(`waited for ${count} events, got ${events.length} (errors: ${JSON.stringify(errors)})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return events.slice(0, count);
    },
    dispose: () => controller.abort(),
  };
}
