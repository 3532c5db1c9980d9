// Issue 19: feeds that do not grow forever, and subscribing that does not
// read them. The hub's feed is filled with a million delivered events over
// two months, the agreement's retention prunes what is older than it keeps,
// and subscribing to hits without a cursor is timed before the fill (the
// baseline) and after the pruning, through the gateway over server-sent
// events: from the request until the gateway answers, which it does once the
// subscription's start is fixed and its consultation entry written. Each
// subscribe is also taken apart step by step from the gateway's own spans
// (collected in memory; a few microseconds each), and the checkpoints
// PostgreSQL ran while they were timed are counted: what a slow one waited for.

import { performance } from 'node:perf_hooks';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import pg from 'pg';
import { agreement } from '../../src/consent/agreement.ts';
import { caseReferenceHeader, purposeHeader } from '../../src/consent/declaredPurpose.ts';
import { createHubPrismaClient } from '../../src/database/createHubPrismaClient.ts';
import { pruneHubFeed } from '../../src/realtime/feedRetention.ts';
import { startTelemetry } from '../../src/telemetry/startTelemetry.ts';
import { startBenchHub, type BenchHub } from '../benchHub.ts';
import { percentile } from '../measure.ts';
import type { BenchContext, BenchFigure, BenchPart } from '../suite.ts';

const eventsAtScale1 = 1_000_000;
/** Subscriptions timed each time, one after the other. */
const subscribesAtScale1 = 300;
/** Officers the subscriptions are spread over, far under the cap of 10 connections each. */
const officers = 50;
/** Units the events are addressed to. */
const units = 1_000;
/** The fill spans twice the retention, so that about half of it is pruned. */
const spanDays = 2 * agreement.events.retentionDays;
const insertBatch = 100_000;
const day = 24 * 3600 * 1000;

/** One subscribe, on the epoch clock of the spans: when the request left, when its answer arrived. */
interface Timed {
  sent: number;
  answered: number;
}

/** Times `count` subscriptions to hits without a cursor over server-sent events: request → the gateway's answer. */
async function timeSubscribes(hub: BenchHub, tokens: readonly string[], count: number): Promise<Timed[]> {
  const timed: Timed[] = [];
  for (let index = 0; index < count; index++) {
    const controller = new AbortController();
    const sent = performance.timeOrigin + performance.now();
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${tokens[index % tokens.length]}`,
        [purposeHeader]: 'CRIMINAL_INVESTIGATION',
        [caseReferenceHeader]: 'XK-MK-2026-BENCH',
      },
      body: JSON.stringify({ query: 'subscription Hits { hits { cursor } }' }),
      signal: controller.signal,
    });
    timed.push({ sent, answered: performance.timeOrigin + performance.now() });
    if (!response.ok) throw new Error(`subscribing answered HTTP ${response.status}`);
    controller.abort();
    await response.body?.cancel().catch(() => {});
  }
  return timed;
}

const durations = (timed: readonly Timed[]) => timed.map(({ sent, answered }) => answered - sent).sort((a, b) => a - b);

/** The steps of a subscribe, in order, each from the gateway's spans; what lies between them is named by the step after. */
const steps = [
  ['identity', 'request → token verified', 'identity.verify'],
  ['rateLimit', 'rate limit (document parsed and validated, purpose, counters)', 'gateway.rateLimit'],
  ['start', 'feed start (positions)', 'feed.start'],
  ['cap', 'connection cap', 'feed.connectionCap'],
  ['entry', 'consultation entry committed', 'audit.append'],
] as const;

/**
 * Where each subscribe's time went, p50 / p99 of each step on its own: the
 * subscription's span that began inside its request (subscribes run one at
 * a time) and its children, the rate limit's span before it, each step from
 * the end of the one before, and the answer's way back from the end of the
 * subscription's span.
 */
function subscribeSteps(timed: readonly Timed[], spans: readonly ReadableSpan[]): string {
  const times = (span: ReadableSpan) => ({ span, start: hrTimeToMilliseconds(span.startTime), end: hrTimeToMilliseconds(span.endTime) });
  const all = spans.map(times);
  const measured = new Map<string, number[]>([...steps.map(([step]) => [step, []] as [string, number[]]), ['answer', []]]);
  for (const { sent, answered } of timed) {
    const subscription = all.find(({ span, start }) => span.name.startsWith('graphql.subscription') && start >= sent && start <= answered);
    if (!subscription) continue;
    const { spanId } = subscription.span.spanContext();
    const stepsOf = all.filter(({ span, start }) =>
      span.name === 'gateway.rateLimit' || span.name === 'identity.verify' ? start >= sent && start <= subscription.start : span.parentSpanContext?.spanId === spanId,
    );
    let previous = sent;
    for (const [step, , name] of steps) {
      const found = stepsOf.find(({ span }) => span.name === name);
      if (!found) continue;
      measured.get(step)!.push(found.end - previous);
      previous = found.end;
    }
    measured.get('answer')!.push(answered - subscription.end);
  }
  const of = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    return `${percentile(sorted, 0.5).toFixed(1)} / ${percentile(sorted, 0.99).toFixed(1)}`;
  };
  return [...steps.map(([step, label]) => `${label} ${of(measured.get(step)!)}`), `→ answer at the client ${of(measured.get('answer')!)}`].join('; ');
}

/** Checkpoints PostgreSQL has run so far, and the ms they spent writing and syncing (PostgreSQL 17+: pg_stat_checkpointer). */
async function checkpoints(client: pg.Client): Promise<{ done: number; writeMs: number; syncMs: number }> {
  const { rows } = await client.query<{ done: number; write_ms: number; sync_ms: number }>(
    'select (num_timed + num_requested)::int as done, write_time::float8 as write_ms, sync_time::float8 as sync_ms from pg_stat_checkpointer',
  );
  return { done: rows[0]!.done, writeMs: rows[0]!.write_ms, syncMs: rows[0]!.sync_ms };
}

/**
 * What PostgreSQL's other processes were doing while the subscribes were
 * timed, sampled every 100 ms: each kind of activity (autovacuum on a
 * table, a statement of another session) with the share of samples that
 * saw it.
 */
function sampleActivity(url: string): { stop(): Promise<string> } {
  const seen = new Map<string, number>();
  let samples = 0;
  let running = true;
  const client = new pg.Client({ connectionString: url });
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ what: string }>(
        `select distinct case when backend_type = 'client backend' then 'statement: ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60)
                              else backend_type || coalesce(': ' || left(query, 60), '') end as what
           from pg_stat_activity where state = 'active' and pid <> pg_backend_pid()
            and backend_type in ('client backend', 'autovacuum worker', 'parallel worker')`,
      );
      samples++;
      for (const { what } of rows) seen.set(what, (seen.get(what) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const busy = [...seen].filter(([, count]) => count / samples >= 0.05).sort((a, b) => b[1] - a[1]);
      return busy.length ? busy.map(([what, count]) => `${what} (${Math.round((100 * count) / samples)} % of samples)`).join(', ') : 'nothing in 5 % of samples or more';
    },
  };
}

/** Times the subscribes and says where they waited: their steps, the checkpoints that ran meanwhile and the database's other work. */
async function timeAndExplain(hub: BenchHub, tokens: readonly string[], count: number, exporter: InMemorySpanExporter, admin: pg.Client) {
  exporter.reset();
  const before = await checkpoints(admin);
  const activity = sampleActivity(hub.setup.hubOwnerDatabaseUrl);
  const timed = await timeSubscribes(hub, tokens, count);
  const busy = await activity.stop();
  const after = await checkpoints(admin);
  const during =
    `${after.done - before.done} checkpoint(s) ran meanwhile (${((after.writeMs - before.writeMs) / 1000).toFixed(1)} s writing, ${((after.syncMs - before.syncMs) / 1000).toFixed(1)} s syncing); ` +
    `the database's other work meanwhile: ${busy}`;
  return { times: durations(timed), steps: subscribeSteps(timed, exporter.getFinishedSpans()), during };
}

const note = (values: readonly number[]) =>
  `p50 ${percentile(values, 0.5).toFixed(1)} ms, p95 ${percentile(values, 0.95).toFixed(1)} ms, p99 ${percentile(values, 0.99).toFixed(1)} ms`;

async function runFeedScale({ scale, log }: BenchContext): Promise<BenchFigure[]> {
  const events = Math.max(insertBatch, Math.round(eventsAtScale1 * scale));
  const subscribes = Math.max(50, Math.round(subscribesAtScale1 * scale));
  // Nobody follows the nodes' feeds: the hub's feed holds the generated events only.
  const hub = await startBenchHub({ agencies: ['XK', 'MK'], syntheticAlerts: 0, log, gateway: { followFeeds: false } });
  const exporter = new InMemorySpanExporter();
  const prisma = createHubPrismaClient({ databaseUrl: hub.setup.hubDatabaseUrl, maxConnections: 2 });
  const client = new pg.Client({ connectionString: hub.setup.hubDatabaseUrl });
  // The feed's owner: only it may vacuum the feed (as the application login, VACUUM skips it with a warning).
  const admin = new pg.Client({ connectionString: hub.setup.hubOwnerDatabaseUrl });
  const telemetry = startTelemetry({ env: {}, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  try {
    await client.connect();
    await admin.connect();
    const tokens = await Promise.all(
      Array.from({ length: officers }, (_, index) => hub.mint({ sub: `mk.feed.${index}`, agency: 'MK', unit: `MK-BENCH-${index}`, roles: ['officer'] })),
    );
    log(`subscribing without a cursor, ${subscribes} times, on an empty feed`);
    await timeSubscribes(hub, tokens, Math.min(20, subscribes));
    const empty = await timeAndExplain(hub, tokens, subscribes, exporter, admin);

    log(`filling the hub's feed with ${events} delivered events over ${spanDays} days`);
    const filled = performance.now();
    const stepMs = (spanDays * day) / events;
    for (let from = 1; from <= events; from += insertBatch) {
      await client.query(
        `insert into hub.feed_event (source, seq, at, kind, audience, record_id, purpose, case_reference, details)
         select 'XK', g, now() - (($2::bigint - g) * $3::double precision) * interval '1 millisecond', 'HIT',
                'unit:MK:MK-BENCH-' || (g % $4), gen_random_uuid()::text, 'CRIMINAL_INVESTIGATION', 'XK-MK-2026-BENCH',
                jsonb_build_object('watchEntryId', gen_random_uuid())
           from generate_series($1::bigint, least($1::bigint + $5 - 1, $2::bigint)) g`,
        [from, events, stepMs, units, insertBatch],
      );
    }
    await client.query(`update hub.feed_position set seq = $1 where source = 'XK'`, [events]);
    await client.query('analyze hub.feed_event');
    const fillSeconds = (performance.now() - filled) / 1000;

    log(`pruning what the agreement's ${agreement.events.retentionDays} days no longer keep`);
    const pruning = performance.now();
    const pruned = await pruneHubFeed(prisma, new Date(Date.now() - agreement.events.retentionDays * day));
    const pruneSeconds = (performance.now() - pruning) / 1000;
    const { rows } = await client.query<{ n: number }>('select count(*)::int as n from hub.feed_event');
    await admin.query('vacuum analyze hub.feed_event');

    log(`subscribing without a cursor, ${subscribes} times, after the pruning`);
    const after = await timeAndExplain(hub, tokens, subscribes, exporter, admin);
    const p99 = percentile(after.times, 0.99);
    return [
      {
        name: 'feeds: subscribe without a cursor, p99, after 1,000,000 events and pruning',
        value: p99,
        unit: 'ms',
        goal: 'p99 ≤ 20 ms',
        met: p99 <= 20,
        baseline: { name: 'p99 on an empty feed', value: percentile(empty.times, 0.99) },
        note:
          `${subscribes} subscriptions to hits over server-sent events, one at a time, request → answer (start fixed, consultation entry written): ` +
          `after ${events} events (${fillSeconds.toFixed(1)} s to insert) and pruning, ${rows[0]!.n} kept: ${note(after.times)}; ${after.during}; ` +
          `step by step, p50 / p99 ms: ${after.steps}. Empty feed: ${note(empty.times)}; ${empty.during}; step by step: ${empty.steps}`,
      },
      {
        name: 'feeds: pruning of the hub feed',
        value: pruneSeconds,
        unit: 's',
        note: `${pruned.events} events older than ${agreement.events.retentionDays} days deleted in batches, each with its audit entry (${((pruned.events / pruneSeconds) | 0).toLocaleString('en')} events/s)`,
      },
    ];
  } finally {
    log('stopping');
    await client.end().catch(() => {});
    await admin.end().catch(() => {});
    await telemetry.shutdown();
    await prisma.$disconnect();
    await hub.stop();
  }
}

const part: BenchPart = {
  name: 'feedScale',
  description: "Event feeds at scale: subscribing without a cursor after 1,000,000 events in the hub's feed and the retention's pruning",
  run: runFeedScale,
};

export default part;
