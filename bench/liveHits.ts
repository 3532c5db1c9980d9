// What the real-time parts of the bench share: `hub gateway` processes on the
// bench hub, graphql-ws subscribers to hits that note when each hit arrives,
// and writers of seizures at a node at a given rate.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { freePort } from '../src/database/startEmbeddedPostgres.ts';
import { nodeOperations } from '../src/gateway/nodeOperations.ts';
import { cpuProfileFlags, type BenchHub, type OfficerSession } from './benchHub.ts';
import { monotonicMicros, type ProfileWindow } from './cpuProfile.ts';
import { percentile } from './measure.ts';

/** Writes at a node at once, at most: under its pool of 10 connections, leaving room for deliveries and feed reads. */
export const maxInFlight = 8;
const repository = fileURLToPath(new URL('..', import.meta.url));
export const benchPurpose = { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-BENCH' };

/** The plate subscriber `index`'s unit watches. */
export const plateOf = (index: number) => `HL-${String(index).padStart(4, '0')}-MK`;

export const seizure = (plate: string, title: string) => ({
  kind: 'SEIZURE',
  title,
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
  risk: { threat: 3, vulnerability: 3, impact: 3 },
  vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK' }],
});

/**
 * The stretches of the last real-time part's measured loads, by name, on
 * the clock of V8's profiles (bench/cpuProfile.ts), so that
 * bench/profileLive.ts reads what the processes did under each load, not
 * while the part set up.
 */
export const measuredWindows = new Map<string, ProfileWindow>();

/** Marks the start of a measured load named `name`; call what it returns at its end. */
export function measureWindow(name: string): () => void {
  const from = monotonicMicros();
  return () => void measuredWindows.set(name, { from, to: monotonicMicros() });
}

/** Gateway processes started so far: each profiled into a folder of its own. */
let gatewaysStarted = 0;

/**
 * `hub gateway` in a process of its own, on the bench hub's database, nodes
 * (or what stands in front of them) and keys; resolves once /readyz answers
 * 200. With BENCH_CPU_PROF_DIR set, under V8's --cpu-prof, its profile written
 * into `<dir>/gateway-<n>` when it stops (bench/profileLive.ts).
 */
export async function startGatewayProcess(hub: BenchHub, nodeUrls: ReadonlyMap<string, URL> = hub.setup.nodeUrls): Promise<{ url: URL; stop(): Promise<void> }> {
  const port = await freePort();
  const { keysDir, hubDatabaseUrl } = hub.setup;
  const profile = cpuProfileFlags(`gateway-${++gatewaysStarted}`);
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', join(repository, 'src/cli.ts'), 'gateway'], {
    cwd: repository,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: hubDatabaseUrl,
      TRUST_LIST: join(keysDir, 'trust-list.json'),
      GATEWAY_SIGNING_KEY: join(keysDir, 'gateway.private.jwk.json'),
      AUDIT_DIGEST_KEY: join(keysDir, 'audit-digest-gateway.secret.jwk.json'),
      AGENCY_NODES: [...nodeUrls].map(([agency, url]) => `${agency}=${url.href}`).join(','),
      GRAPHIQL: 'false',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  const url = new URL(`http://127.0.0.1:${port}/graphql`);
  for (const deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error(`hub gateway exited with code ${child.exitCode}`);
    const ready = await fetch(new URL('/readyz', url)).then((response) => response.ok, () => false);
    if (ready) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error('hub gateway was not ready within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Ends a real-time part, whatever it got to: every subscriber's socket, then
 * the gateway processes, then what else the part put between them and the
 * nodes (relays), then the bench hub.
 */
export async function endLiveRun(hub: BenchHub, gateways: readonly Stoppable[], subscribers: readonly (Subscriber | undefined)[], others: readonly Stoppable[] = []): Promise<void> {
  await Promise.allSettled(subscribers.flatMap((subscriber) => (subscriber ? [subscriber.client.dispose()] : [])));
  await Promise.allSettled(gateways.map((gateway) => gateway.stop()));
  await Promise.allSettled(others.map((other) => other.stop()));
  await hub.stop();
}

interface Stoppable {
  stop(): Promise<void>;
}

/** What one subscriber received: for each alert, when each copy arrived. */
export interface Subscriber {
  client: Client;
  arrivals: Map<string, number[]>;
  /** Every event's key (a hit's alert), in the order they arrived. */
  order: string[];
  errors: unknown[];
}

/** The hits subscription, and what an arrival is keyed by: the alert's local id. */
const hitsSubscription = { query: 'subscription Hits { hits { alert { localId } } }', keyOf: (data: any): string | undefined => data?.hits?.alert.localId };

/**
 * A graphql-ws client subscribed (to `hits` unless told another document and
 * how to key what it pushes); resolves once the server acknowledged the connection.
 */
export async function subscribe(gatewayUrl: URL, token: string, { query, keyOf } = hitsSubscription): Promise<Subscriber> {
  const url = new URL(gatewayUrl);
  url.protocol = 'ws:';
  const arrivals = new Map<string, number[]>();
  const order: string[] = [];
  const errors: unknown[] = [];
  let acknowledged!: () => void;
  let refused!: (error: unknown) => void;
  const connected = new Promise<void>((resolve, reject) => ((acknowledged = resolve), (refused = reject)));
  const client = createClient({
    url: url.href,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: { authorization: `Bearer ${token}`, ...benchPurpose },
    on: { connected: () => acknowledged(), closed: (event) => refused(new Error(`socket closed: ${(event as { code?: number }).code}`)) },
    onNonLazyError: (error) => refused(error),
  });
  client.subscribe(
    { query },
    {
      next: (result) => {
        const at = performance.now();
        if (result.errors) errors.push(...result.errors);
        const id = keyOf(result.data);
        if (id) {
          arrivals.set(id, [...(arrivals.get(id) ?? []), at]);
          order.push(id);
        }
      },
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  await connected;
  return { client, arrivals, order, errors };
}

/**
 * Waits until `count` subscriptions to `field` have their consultation entry
 * in the hub's log (or `timeoutMs` passed); returns how many have. A
 * subscription's start in the feed is fixed before its entry is written, so
 * from then on it misses no event.
 */
export async function subscriptionsInPlace(hubDatabaseUrl: string, count: number, timeoutMs: number, field = 'hits'): Promise<number> {
  const client = new pg.Client({ connectionString: hubDatabaseUrl });
  await client.connect();
  try {
    for (const deadline = performance.now() + timeoutMs; ; ) {
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from audit.entry where kind = 'CONSULTATION' and details->>'subscription' = $1 and details ? 'from'`,
        [field],
      );
      const placed = rows[0]!.n;
      if (placed >= count || performance.now() > deadline) return placed;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.end();
  }
}

/** A subscription's error in a few words: its code and message. */
export const describeError = (error: unknown) => {
  const { message, extensions } = (error ?? {}) as { message?: string; extensions?: { code?: string } };
  return `${extensions?.code ?? 'error'}: ${message ?? String(error)}`.slice(0, 120);
};

/** Runs `task` on each item with at most `concurrency` at once. */
export async function eachLimited<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export interface Write {
  plate: string;
  sentAt: number;
  /** When the node answered: its transaction committed (or failed). */
  answeredAt: number;
  /** Null when the node refused or failed the write. */
  alertId: string | null;
  error?: string;
}

/**
 * Sends at `perSecond`: the k-th request is due at k / perSecond, as units
 * in the field would send them, but at most `maxInFlight` are at the node at
 * once, so that a node that cannot keep up shows it as a lower rate rather
 * than as a pile of timed-out transactions. The offer ends when its time is
 * up (count / perSecond seconds): a write not sent by then is not sent, so a
 * slow node makes the part report less, not take longer. A write the node
 * fails is kept with its error and expects no event. `send` resolves with
 * the key its event arrives under (Write.alertId).
 */
export async function offerAtRate(perSecond: number, count: number, about: (k: number) => string, send: (k: number) => Promise<string>): Promise<Write[]> {
  const start = performance.now();
  const end = start + (count * 1000) / perSecond;
  const writes: Promise<Write>[] = [];
  const inFlight = new Set<Promise<unknown>>();
  for (let k = 0; k < count; k++) {
    const wait = start + (k * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (performance.now() > end) break;
    const sentAt = performance.now();
    const write: Promise<Write> = send(k).then(
      (key) => ({ plate: about(k), sentAt, answeredAt: performance.now(), alertId: key }),
      (error: unknown) => ({ plate: about(k), sentAt, answeredAt: performance.now(), alertId: null, error: String(error instanceof Error ? error.message : error) }),
    );
    inFlight.add(write);
    void write.then(() => inFlight.delete(write));
    writes.push(write);
  }
  return Promise.all(writes);
}

/** Seizures at `perSecond`, each with the plate `plate(k)`, straight to the agency's node (see offerAtRate). */
export const writeAtRate = (writer: OfficerSession, perSecond: number, count: number, plate: (k: number) => string, label: string, agency = 'XK') =>
  offerAtRate(perSecond, count, plate, async (k) => {
    const data = await writer.node<{ createAlert: { id: string } }>(agency, nodeOperations.createAlert, { input: seizure(plate(k), `${label} ${k}`) });
    return data.createAlert.id;
  });

/** Committed writes per second, from the first request to the last answer. */
export const achievedRate = (writes: readonly Write[]) => {
  const committed = writes.filter((write) => write.alertId).length;
  const span = Math.max(...writes.map((write) => write.answeredAt)) - Math.min(...writes.map((write) => write.sentAt));
  return (committed * 1000) / span;
};

/** How many writes failed, and the distinct reasons. */
export const failures = (writes: readonly Write[]) => {
  const reasons = [...new Set(writes.flatMap((write) => (write.error ? [write.error.replace(/^http:\/\/\S+ /, '')] : [])))];
  return { count: writes.filter((write) => write.error).length, reasons: reasons.slice(0, 3).join(' | ') };
};

export const latencyNote = (values: readonly number[]) =>
  `p50 ${percentile(values, 0.5).toFixed(1)} ms, p95 ${percentile(values, 0.95).toFixed(1)} ms, p99 ${percentile(values, 0.99).toFixed(1)} ms, max ${(values.at(-1) ?? Number.NaN).toFixed(1)} ms`;
export const sorted = (values: number[]) => values.sort((a, b) => a - b);

/** Watch entries registered at once through the gateway during set-up. */
const setupConcurrency = 8;
/** The longest set-up waits for every subscription to be in place. */
export const placementMs = 60_000;

/**
 * `count` officers, each of an MK unit of its own, each with a watch entry on
 * plateOf(its index) registered through the bench hub's gateway, then a
 * socket each on the gateways in turn (`subscribers[index]`): one socket
 * per officer, far under the caps of 10 connections per officer and 10
 * operations per socket, and each record is for one unit. Resolves with how
 * many subscriptions are in place (their consultation entry written: their
 * start in the feed is fixed before it) within placementMs.
 */
export async function watchingSubscribers(hub: BenchHub, gatewayUrls: readonly URL[], count: number, subscribers: Subscriber[], log: (line: string) => void): Promise<number> {
  log(`${count} officers of as many MK units: a watch entry each, then a socket on one of ${gatewayUrls.length} gateway processes in turn`);
  const indexes = Array.from({ length: count }, (_, index) => index);
  const tokens = await Promise.all(indexes.map((index) => hub.mint({ sub: `mk.bench.${index}`, agency: 'MK', unit: `MK-BENCH-${index}`, roles: ['officer'] })));
  const expiresAt = new Date(Date.now() + 864e5).toISOString();
  await eachLimited(indexes, setupConcurrency, async (index) => {
    // The gateway withdraws an entry that a node did not take, so a registration that failed under load is simply tried again.
    for (let attempt = 1; ; attempt++) {
      try {
        await hub.session(tokens[index]!).gateway(`mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`, {
          input: { plate: plateOf(index), plateCountry: 'XK', expiresAt },
        });
        return;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  });
  log(`${count} sockets`);
  await eachLimited(indexes, setupConcurrency, async (index) => {
    subscribers[index] = await subscribe(gatewayUrls[index % gatewayUrls.length]!, tokens[index]!);
  });
  log('every subscription in place');
  return subscriptionsInPlace(hub.setup.hubDatabaseUrl, count, placementMs);
}
