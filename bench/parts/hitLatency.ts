// Goal 5 of issue 11: real-time hits at scale. A thousand graphql-ws
// subscribers on two gateway processes (`hub gateway`, the production command,
// each its own OS process on the one hub database), and XK recording a
// hundred seizures a second, each with a plate one MK unit watches: from the
// commit at the XK node until the hit is in the subscriber's hands.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { freePort } from '../../src/database/startEmbeddedPostgres.ts';
import { nodeOperations } from '../../src/gateway/nodeOperations.ts';
import { startBenchHub, type BenchHub, type OfficerSession } from '../benchHub.ts';
import { percentile } from '../measure.ts';
import type { BenchContext, BenchFigure, BenchPart } from '../suite.ts';

const subscribersAtScale1 = 1_000;
const recordsPerSecondAtScale1 = 100;
/** Seconds of the measured load, and of the writer's baseline before anyone watches. */
const measuredSeconds = 30;
const baselineSeconds = 10;
/** How long after the last commit a hit may still arrive before it counts as lost. */
const drainMs = 15_000;
const gatewayProcesses = 2;
/** Writes at the XK node at once, at most: under its pool of 10 connections, leaving room for deliveries and feed reads. */
const maxInFlight = 8;
/** Watch entries registered at once through the gateway during set-up. */
const setupConcurrency = 8;
/** The longest the part waits for every subscription to be in place, and for the warm-up's hits. */
const placementMs = 60_000;
const warmUpDrainMs = 10_000;
/** Warm-up writes (each for another subscriber), not measured: enough to open the connections on the delivery path. */
const warmUpWrites = 20;

const repository = fileURLToPath(new URL('../..', import.meta.url));
export const benchPurpose = { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-BENCH' };

/** The plate subscriber `index`'s unit watches. */
const plateOf = (index: number) => `HL-${String(index).padStart(4, '0')}-MK`;

export const seizure = (plate: string, title: string) => ({
  kind: 'SEIZURE',
  title,
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
  risk: { threat: 3, vulnerability: 3, impact: 3 },
  vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK' }],
});

/** `hub gateway` in a process of its own, on the bench hub's database, nodes and keys; resolves once /readyz answers 200. */
export async function startGatewayProcess(hub: BenchHub): Promise<{ url: URL; stop(): Promise<void> }> {
  const port = await freePort();
  const { keysDir, nodeUrls, hubDatabaseUrl } = hub.setup;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repository, 'src/cli.ts'), 'gateway'], {
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

/** What one subscriber received: for each alert, when each copy arrived. */
export interface Subscriber {
  client: Client;
  arrivals: Map<string, number[]>;
  errors: unknown[];
}

/** The hits subscription the part sends, and what it keys an arrival by: the alert's local id. */
const hitsSubscription = { query: 'subscription Hits { hits { alert { localId } } }', keyOf: (data: any): string | undefined => data?.hits?.alert.localId };

/**
 * A graphql-ws client subscribed (to `hits` unless told another document and
 * how to key what it pushes); resolves once the server acknowledged the connection.
 */
export async function subscribe(gatewayUrl: URL, token: string, { query, keyOf } = hitsSubscription): Promise<Subscriber> {
  const url = new URL(gatewayUrl);
  url.protocol = 'ws:';
  const arrivals = new Map<string, number[]>();
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
        if (id) arrivals.set(id, [...(arrivals.get(id) ?? []), at]);
      },
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  await connected;
  return { client, arrivals, errors };
}

/**
 * Waits until `count` subscriptions to `field` have their consultation entry in
 * the hub's log (or `timeoutMs` passed); returns how many have. A
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
  /** What the write was about (the hits part: the plate). */
  plate: string;
  sentAt: number;
  /** When the XK node answered: its transaction committed (or failed). */
  answeredAt: number;
  /** What the subscriber keys the write's event by; null when the node refused or failed the write. */
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
 * the key of the event the write causes.
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

/** Seizures at `perSecond`, each with the plate `plate(k)`, straight to the XK node (see offerAtRate). */
const writeAtRate = (xk: OfficerSession, perSecond: number, count: number, plate: (k: number) => string, label: string) =>
  offerAtRate(perSecond, count, plate, async (k) => {
    const data = await xk.node<{ createAlert: { id: string } }>('XK', nodeOperations.createAlert, { input: seizure(plate(k), `${label} ${k}`) });
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

async function runHitLatency({ scale, log }: BenchContext): Promise<BenchFigure[]> {
  const subscriberCount = Math.max(gatewayProcesses, Math.round(subscribersAtScale1 * scale));
  const perSecond = Math.max(1, Math.round(recordsPerSecondAtScale1 * scale));
  // The bench hub's own gateway registers the watch entries; it does not follow the feeds, so the two processes alone deliver.
  const hub = await startBenchHub({ agencies: ['XK', 'MK'], syntheticAlerts: 0, log, gateway: { followFeeds: false } });
  const gateways: { url: URL; stop(): Promise<void> }[] = [];
  const subscribers: Subscriber[] = [];
  try {
    const xk = await hub.as('xk-border-officer');
    log(`writer baseline: ${perSecond} seizures/s for ${baselineSeconds} s, nobody watching`);
    const baseline = await writeAtRate(xk, perSecond, perSecond * baselineSeconds, (k) => `UN-${String(k).padStart(5, '0')}-XK`, 'Unwatched seizure');

    log(`starting ${gatewayProcesses} gateway processes`);
    for (let index = 0; index < gatewayProcesses; index++) gateways.push(await startGatewayProcess(hub));

    // One officer per unit, one socket each: far under the caps of 10 sockets per
    // officer and 10 operations per socket, and each record is for one unit.
    log(`${subscriberCount} officers of as many MK units: a watch entry each, then a socket on gateway process 1 or 2`);
    const indexes = Array.from({ length: subscriberCount }, (_, index) => index);
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
    log(`${subscriberCount} sockets`);
    await eachLimited(indexes, setupConcurrency, async (index) => {
      subscribers[index] = await subscribe(gateways[index % gatewayProcesses]!.url, tokens[index]!);
    });

    // Every subscription is in place once its consultation entry is written (its start in the feed is fixed before it).
    log('warm-up: every subscription in place, then a few hits not measured');
    const placed = await subscriptionsInPlace(hub.setup.hubDatabaseUrl, subscriberCount, placementMs);
    log(`${placed} subscriptions in place; ${warmUpWrites} warm-up hits`);
    // A short warm-up of the delivery path (connections, JIT), bounded: what it did not deliver in time is said in the notes.
    const warmUpCount = Math.min(subscriberCount, warmUpWrites);
    const warmUp = await writeAtRate(xk, Math.min(perSecond, warmUpCount), warmUpCount, (k) => plateOf(k), 'Warm-up seizure');
    let late = 0;
    for (const deadline = performance.now() + warmUpDrainMs; ; ) {
      late = warmUp.filter((write, k) => write.alertId && !subscribers[k]!.arrivals.has(write.alertId)).length;
      if (late === 0 || performance.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    log(`measured: ${perSecond} seizures/s for ${measuredSeconds} s, each for one of ${subscriberCount} units`);
    const measured = await writeAtRate(xk, perSecond, perSecond * measuredSeconds, (k) => plateOf(k % subscriberCount), 'Watched seizure');
    const subscriberOf = (k: number) => subscribers[k % subscriberCount]!;
    const lastCommit = Math.max(...measured.map((write) => write.answeredAt));
    log('draining');
    while (performance.now() < lastCommit + drainMs && measured.some((write, k) => write.alertId && !subscriberOf(k).arrivals.has(write.alertId))) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const fromCommit: number[] = [];
    const fromRequest: number[] = [];
    let lost = 0;
    let duplicated = 0;
    for (const [k, write] of measured.entries()) {
      if (!write.alertId) continue;
      const copies = subscriberOf(k).arrivals.get(write.alertId) ?? [];
      if (copies.length === 0) lost += 1;
      if (copies.length > 1) duplicated += copies.length - 1;
      if (copies[0] !== undefined) {
        fromCommit.push(copies[0] - write.answeredAt);
        fromRequest.push(copies[0] - write.sentAt);
      }
    }
    // A hit meant for one unit that reaches another's subscriber would be a leak: count it too.
    const expected = new Set(measured.flatMap((write) => (write.alertId ? [write.alertId] : [])));
    const misrouted = subscribers.reduce(
      (count, subscriber, index) =>
        count + [...subscriber.arrivals.keys()].filter((id) => expected.has(id) && !measured.some((write, k) => write.alertId === id && k % subscriberCount === index)).length,
      0,
    );
    const errors = subscribers.reduce((count, subscriber) => count + subscriber.errors.length, 0);
    const errorKinds = [...new Set(subscribers.flatMap((subscriber) => subscriber.errors.map(describeError)))].slice(0, 3).join(' | ');
    sorted(fromCommit);
    sorted(fromRequest);
    const writerWith = sorted(measured.filter((write) => write.alertId).map((write) => write.answeredAt - write.sentAt));
    const measuredFailures = failures(measured);
    const baselineFailures = failures(baseline);
    const writerWithout = sorted(baseline.filter((write) => write.alertId).map((write) => write.answeredAt - write.sentAt));
    const setting =
      `${subscriberCount} subscribers (one officer and one socket per unit, default caps) on ${gatewayProcesses} \`hub gateway\` processes` +
      `${placed < subscriberCount ? ` (${subscriberCount - placed} not in place after ${placementMs / 1000} s)` : ''}; ` +
      `warm-up: ${warmUp.length} hits not measured${late ? `, ${late} of them not delivered within ${warmUpDrainMs / 1000} s` : ''}; ` +
      `${perSecond} records/s offered for ${measuredSeconds} s, ${measured.length} of ${perSecond * measuredSeconds} sent in that time (at most ${maxInFlight} in flight), ${achievedRate(measured).toFixed(1)}/s committed`;

    return [
      {
        name: 'hits: commit → subscriber, p99',
        value: percentile(fromCommit, 0.99),
        unit: 'ms',
        goal: 'p99 ≤ 250 ms',
        met: percentile(fromCommit, 0.99) <= 250,
        baseline: { name: 'p50', value: percentile(fromCommit, 0.5) },
        note: `${setting}; from the XK node's answer to createAlert: ${latencyNote(fromCommit)}; from the request: ${latencyNote(fromRequest)}`,
      },
      { name: 'hits: lost', value: lost, unit: 'hits', goal: '0', met: lost === 0, note: `of ${measured.length - measuredFailures.count} committed records, none arrived within ${drainMs / 1000} s of the last commit` },
      {
        name: 'hits: duplicated',
        value: duplicated,
        unit: 'hits',
        goal: '0',
        met: duplicated === 0,
        note: `extra copies at the same subscriber; delivered to another unit's subscriber: ${misrouted}; errors on subscriptions: ${errors}${errorKinds ? ` (${errorKinds})` : ''}`,
      },
      {
        name: 'hits: createAlert at the XK node, p99, watched',
        value: percentile(writerWith, 0.99),
        unit: 'ms',
        baseline: { name: 'p99 before any watch entry or subscriber', value: percentile(writerWithout, 0.99) },
        note: `with ${subscriberCount} watch entries and subscribers: ${latencyNote(writerWith)}; before: ${latencyNote(writerWithout)} (${perSecond}/s offered, ${achievedRate(measured).toFixed(1)}/s and ${achievedRate(baseline).toFixed(1)}/s committed, straight to the node)`,
      },
      {
        name: 'hits: createAlert committed/s at the XK node, watched',
        value: achievedRate(measured),
        unit: 'writes/s',
        baseline: { name: 'committed/s before any watch entry or subscriber', value: achievedRate(baseline) },
        note: `${perSecond}/s offered, at most ${maxInFlight} writes in flight, straight to the node`,
      },
      {
        name: 'hits: createAlert failed at the XK node',
        value: measuredFailures.count,
        unit: 'writes',
        baseline: { name: 'failed before any watch entry or subscriber', value: baselineFailures.count },
        note: `of ${measured.length} sent (baseline: of ${baseline.length})${measuredFailures.reasons || baselineFailures.reasons ? `: ${measuredFailures.reasons || baselineFailures.reasons}` : ''}`,
      },
    ];
  } finally {
    log('stopping');
    await Promise.allSettled(subscribers.filter(Boolean).map((subscriber) => subscriber.client.dispose()));
    await Promise.allSettled(gateways.map((gateway) => gateway.stop()));
    await hub.stop();
  }
}

const part: BenchPart = {
  name: 'hitLatency',
  description: 'Real-time hits: 1,000 graphql-ws subscribers on two gateway processes, 100 watched records per second at the XK node',
  run: runHitLatency,
};

export default part;
