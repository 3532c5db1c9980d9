import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubPrismaClient, type HubPrismaClient } from '../src/database/createHubPrismaClient.ts';
import { listenForNotifications, type EventNotifier } from '../src/realtime/listenForNotifications.ts';
import type { FeedEvent } from '../src/generated/hub/client.ts';
import { createHubFeed, currentPositions, type FeedInterest, type FeedPositions, type FeedSubscription, type HubFeed } from '../src/realtime/hubFeed.ts';
import { audience, hubFeedChannel } from '../src/realtime/hubFeedStore.ts';
import { createTestDatabase, waitUntil, type TestDatabase } from './helpers.ts';
import { templateDatabases } from './globalSetup.ts';

// The process's one reader of hub.feed_event and the subscriptions it serves,
// on a real hub database: rows are inserted as the gateway stores them
// (contiguous per source, its notification trigger firing), and
// subscriptions take them as feedStream.ts does.

const agencies = ['MK', 'XK'] as const;
const logger = pino({ level: 'silent' });

/** A pino logger whose JSON lines the test reads: what the operator sees. */
function capturingLogger() {
  const lines: { level: number; msg: string; agency?: string; err?: { message: string } }[] = [];
  const sink = new Writable({
    write: (chunk, _encoding, done) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info', base: undefined }, sink), lines };
}

describe('the hub feed reader shared by the subscriptions of a process', () => {
  let database: TestDatabase;
  let prisma: HubPrismaClient;
  let notifier: EventNotifier;
  let writer: pg.Client;
  const next: Record<string, number> = { MK: 0, XK: 0 };
  const feeds: HubFeed[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('hubfeed', templateDatabases.hub);
    prisma = createHubPrismaClient({ databaseUrl: database.applicationUrl });
    notifier = listenForNotifications({ databaseUrl: database.applicationUrl, channel: hubFeedChannel, logger });
    writer = new pg.Client({ connectionString: database.url });
    await writer.connect();
  });
  afterAll(async () => {
    for (const feed of feeds) await feed.stop();
    await notifier?.close();
    await prisma?.$disconnect();
    await writer?.end();
    await database?.[Symbol.asyncDispose]();
  });

  const startFeed = (bufferSize: number) => {
    const feed = createHubFeed({ prisma, notifier, sources: agencies, logger, pollMs: 50, bufferSize });
    feeds.push(feed);
    return feed;
  };

  /**
   * Stores the next `units.length` events of the agency's feed in one
   * statement, one per unit given (of the purpose given, CRIMINAL_INVESTIGATION
   * without a case by default); returns their seqs.
   */
  const store = async (agency: string, units: readonly string[], purpose: { code: string; caseReference: string | null } = investigation) => {
    const seqs = units.map(() => ++next[agency]!);
    // The rows and the source's position in one statement, as the gateway's store commits them (hubFeedStore.ts).
    await writer.query(
      `with stored as (
         insert into hub.feed_event (source, seq, at, kind, audience, record_id, purpose, case_reference, details)
         select $1, s, now(), 'HIT', 'unit:MK:' || u, gen_random_uuid()::text, $3, $4, jsonb_build_object('watchEntryId', $2::text)
           from unnest($5::bigint[], $6::text[]) as t(s, u)
         returning seq)
       insert into hub.feed_position (source, seq) select $1, max(seq) from stored
       on conflict (source) do update set seq = greatest(hub.feed_position.seq, excluded.seq), updated_at = now()`,
      [agency, randomUUID(), purpose.code, purpose.caseReference, seqs, units],
    );
    return seqs;
  };
  const investigation = { code: 'CRIMINAL_INVESTIGATION', caseReference: null };
  /** The hits of one MK unit, under the purpose the rows are stored with unless said otherwise. */
  const hitsOf = (unit: string, purpose = investigation): FeedInterest => ({ audiences: [audience.unit('MK', unit)], kinds: ['HIT'], sources: agencies, purpose });

  /** Takes until `done`, advancing over every row, as feedStream does when each delivery succeeds. */
  const drain = async (subscription: FeedSubscription, taken: FeedEvent[], done: () => boolean) => {
    const signal = AbortSignal.timeout(30_000);
    while (!done() && !signal.aborted) {
      for (const row of await subscription.take(signal)) {
        taken.push(row);
        subscription.advance(row);
      }
    }
  };
  const keys = (rows: readonly FeedEvent[]) => rows.map((row) => `${row.source}:${row.seq}`);
  /** The next rows the subscription is given: a take also ends empty after `pollMs` when the reader has not handed any over yet (a loaded machine). */
  const takeSome = async (subscription: FeedSubscription) => {
    const signal = AbortSignal.timeout(30_000);
    for (;;) {
      const rows = await subscription.take(signal);
      if (rows.length > 0 || signal.aborted) return rows;
    }
  };

  it('gives a subscription whose buffer overflowed every row from the durable feed, once and in order', async () => {
    const feed = startFeed(2);
    const unit = `U-${randomUUID().slice(0, 8)}`;
    const start = await currentPositions(prisma, agencies);
    const slow = feed.subscribe(hitsOf(unit), start);
    // A second subscription of the unit, taking as the rows come: once it has all ten, the reader has handed them to both.
    const probe = feed.subscribe(hitsOf(unit), start);
    // Registered with the reader: an empty take.
    expect(await slow.take(AbortSignal.timeout(10_000))).toEqual([]);
    expect(await probe.take(AbortSignal.timeout(10_000))).toEqual([]);
    const seqs = await store('XK', Array.from({ length: 10 }, () => unit));
    // The reader has handed all ten over while nobody took any of the slow one's: its buffer of two overflowed.
    const probed: FeedEvent[] = [];
    await drain(probe, probed, () => probed.length >= seqs.length);
    probe.close();
    const taken: FeedEvent[] = [];
    await drain(slow, taken, () => taken.length >= seqs.length);
    expect(keys(taken)).toEqual(seqs.map((seq) => `XK:${seq}`));
    expect(slow.positions).toMatchObject({ XK: seqs.at(-1) });
    slow.close();
  });

  it('resumes from a position with the rows after it, then goes on live', async () => {
    const feed = startFeed(100);
    const unit = `U-${randomUUID().slice(0, 8)}`;
    const [first, ...missed] = await store('MK', [unit, 'OTHER', unit, unit]);
    const subscription = feed.subscribe(hitsOf(unit), { MK: first!, XK: next.XK! });
    const taken: FeedEvent[] = [];
    await drain(subscription, taken, () => taken.length >= 2);
    const live = await store('XK', [unit]);
    await drain(subscription, taken, () => taken.length >= 3);
    expect(keys(taken)).toEqual([`MK:${missed[1]}`, `MK:${missed[2]}`, `XK:${live[0]}`]);
    subscription.close();
  });

  it('holds back only the held source: the other source’s rows keep coming, and the held one’s come in order once released', async () => {
    // A hold far longer than the test: while it lasts, nothing of the held source may come back.
    const feed = createHubFeed({ prisma, notifier, sources: agencies, logger, pollMs: 50, holdMs: 600_000 });
    feeds.push(feed);
    const unit = `U-${randomUUID().slice(0, 8)}`;
    const start = await currentPositions(prisma, agencies);
    const subscription = feed.subscribe(hitsOf(unit), start);
    expect(await subscription.take(AbortSignal.timeout(10_000))).toEqual([]);
    const mk = await store('MK', [unit, unit]);
    const [first] = await takeSome(subscription);
    expect(keys([first!])).toEqual([`MK:${mk[0]}`]);
    // MK's node does not answer: its rows wait.
    subscription.hold('MK');
    const xk = await store('XK', [unit, unit, unit]);
    const taken: FeedEvent[] = [];
    await drain(subscription, taken, () => taken.length >= xk.length);
    expect(keys(taken)).toEqual(xk.map((seq) => `XK:${seq}`));
    const later = await store('XK', [unit]);
    await drain(subscription, taken, () => taken.length >= xk.length + 1);
    expect(keys(taken)).toEqual([...xk, ...later].map((seq) => `XK:${seq}`));
    // Nothing of MK was passed: the position stays before its first row.
    expect(subscription.positions.MK).toBe(start.MK);
    subscription.close();

    // With a hold that ends, the held rows come, in order, and nothing twice.
    const operator = capturingLogger();
    const brief = createHubFeed({ prisma, notifier, sources: agencies, logger: operator.logger, pollMs: 50, holdMs: 100 });
    feeds.push(brief);
    const again = brief.subscribe(hitsOf(unit), { MK: mk[0]! - 1, XK: later[0]! });
    const other = brief.subscribe(hitsOf(unit), { MK: mk[0]! - 1, XK: later[0]! });
    const [held] = await takeSome(again);
    expect(keys([held!])).toEqual([`MK:${mk[0]}`]);
    again.hold('MK', new Error('Agency MK is unavailable: connection failed.'));
    // The operator learns of it once for the process, however many subscriptions hold the source.
    other.hold('MK');
    expect(operator.lines).toMatchObject([{ level: 40, agency: 'MK', err: { message: 'Agency MK is unavailable: connection failed.' } }]);
    expect(operator.lines[0]!.msg).toMatch(/held/);
    const more = await store('XK', [unit]);
    const resumed: FeedEvent[] = [];
    await drain(again, resumed, () => resumed.length >= 3);
    expect(keys(resumed.filter((row) => row.source === 'MK'))).toEqual(mk.map((seq) => `MK:${seq}`));
    expect(keys(resumed.filter((row) => row.source === 'XK'))).toEqual(more.map((seq) => `XK:${seq}`));
    // And once a push of it went out again.
    expect(operator.lines.map(({ level, agency }) => [level, agency])).toEqual([
      [40, 'MK'],
      [30, 'MK'],
    ]);
    expect(operator.lines[1]!.msg).toMatch(/delivered again/);
    again.close();
    other.close();
  });

  it('gives a subscription only the rows of its purpose and case, and those of none', async () => {
    const feed = startFeed(100);
    const unit = `U-${randomUUID().slice(0, 8)}`;
    const border = { code: 'BORDER_CHECK', caseReference: null };
    const subscription = feed.subscribe(hitsOf(unit, border), await currentPositions(prisma, agencies));
    expect(await subscription.take(AbortSignal.timeout(10_000))).toEqual([]);
    await store('XK', [unit], investigation);
    await store('XK', [unit], { code: 'BORDER_CHECK', caseReference: 'XK-MK-2026-0042' });
    const mine = await store('XK', [unit], border);
    const taken: FeedEvent[] = [];
    await drain(subscription, taken, () => taken.length >= 1);
    // Caught up from the durable feed as well: a later subscriber from the start sees the same.
    const later = feed.subscribe(hitsOf(unit, border), { MK: next.MK!, XK: mine[0]! - 3 });
    const caughtUp: FeedEvent[] = [];
    await drain(later, caughtUp, () => caughtUp.length >= 1);
    for (const rows of [taken, caughtUp]) expect(keys(rows)).toEqual(mine.map((seq) => `XK:${seq}`));
    expect(await later.take(AbortSignal.timeout(10_000))).toEqual([]);
    subscription.close();
    later.close();
  });

  it('reads no row while no subscription of the process awaits one, and gives a later one every row after its start', async () => {
    // The same database, seen through a client that counts what the reader asks of it.
    const reads = { events: 0, positions: 0 };
    const counted = prisma.$extends({
      query: {
        feedEvent: { findMany: ({ args, query }) => (reads.events++, query(args)) },
        feedPosition: { findMany: ({ args, query }) => (reads.positions++, query(args)) },
      },
    }) as unknown as HubPrismaClient;
    const feed = createHubFeed({ prisma: counted, notifier, sources: agencies, logger, pollMs: 50 });
    feeds.push(feed);
    const unit = `U-${randomUUID().slice(0, 8)}`;
    // A subscription starts the reader, and leaves.
    const first = feed.subscribe(hitsOf(unit), await currentPositions(prisma, agencies));
    expect(await first.take(AbortSignal.timeout(10_000))).toEqual([]);
    first.close();
    const quiet = await waitUntil('the reader idle', async () => {
      const before = { ...reads };
      await new Promise((resolve) => setTimeout(resolve, 200));
      return reads.positions > before.positions && reads.events === before.events ? { ...reads } : undefined;
    });
    // Three batches' worth of rows, nobody subscribed: the reader moves to their end without reading them.
    const stored = await store('XK', Array.from({ length: 1_200 }, (_, index) => (index % 2 ? unit : 'OTHER')));
    // A look-up of the feed's end begun after they were committed: the reader is past them.
    const storedAt = reads.positions;
    await waitUntil('the reader past the rows', async () => (reads.positions > storedAt ? true : undefined));
    expect(reads.events).toBe(quiet.events);
    // A subscription from before them reads them from the durable feed, then goes on live.
    const later = feed.subscribe(hitsOf(unit), { MK: next.MK!, XK: stored[0]! - 1 });
    const taken: FeedEvent[] = [];
    await drain(later, taken, () => taken.length >= 600);
    const live = await store('XK', [unit]);
    await drain(later, taken, () => taken.length >= 601);
    expect(keys(taken)).toEqual([...stored.filter((_, index) => index % 2), ...live].map((seq) => `XK:${seq}`));
    later.close();
  });

  it('ends every waiting take when stopped', async () => {
    const feed = createHubFeed({ prisma, notifier, sources: agencies, logger, pollMs: 60_000 });
    const subscription = feed.subscribe(hitsOf('U-STOP'), await currentPositions(prisma, agencies));
    const waiting = subscription.take(new AbortController().signal);
    await feed.stop();
    expect(await waiting).toEqual([]);
  });

  // Random interleavings of commits (one agency's rows in one statement, for
  // this unit or another), of takes, of pauses that let the buffer overflow,
  // of holds (a node that did not answer) and of the point the subscription
  // starts from: whatever happens, the unit's rows after the start, each
  // once, in each feed's order, and nothing of another unit.
  it('delivers each row of its unit once and in each feed order, whatever the interleaving', async () => {
    const feed = startFeed(3);
    const step = fc.oneof(
      fc.record({ store: fc.constantFrom(...agencies), mine: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }) }),
      fc.record({ take: fc.constant(true) }),
      fc.record({ pause: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ hold: fc.constantFrom(...agencies) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), fc.integer({ min: 0, max: 3 }), async (steps, lookBack) => {
        const unit = `P-${++run}`;
        // Rows of the unit from before the start: those after the start position are owed, the others not.
        const earlier = await store('XK', Array.from({ length: 3 }, () => unit));
        const start: FeedPositions = { MK: next.MK!, XK: earlier[0]! - 1 + (3 - lookBack) };
        const owed = earlier.filter((seq) => seq > start.XK!).map((seq) => `XK:${seq}`);
        const subscription = feed.subscribe(hitsOf(unit), start);
        const taken: FeedEvent[] = [];
        const takeOnce = async (hold?: string) => {
          const held = new Set<string>();
          for (const row of await subscription.take(AbortSignal.timeout(10_000))) {
            if (held.has(row.source)) continue;
            if (row.source === hold) {
              held.add(row.source);
              subscription.hold(row.source);
              continue;
            }
            taken.push(row);
            subscription.advance(row);
          }
        };
        for (const action of steps) {
          if ('store' in action) {
            const seqs = await store(action.store, action.mine.map((mine) => (mine ? unit : `${unit}-other`)));
            owed.push(...seqs.filter((_seq, index) => action.mine[index]).map((seq) => `${action.store}:${seq}`));
          } else if ('take' in action) await takeOnce();
          else if ('pause' in action) await new Promise((resolve) => setTimeout(resolve, action.pause));
          else await takeOnce(action.hold);
        }
        await drain(subscription, taken, () => taken.length >= owed.length);
        // Nothing more after what was owed.
        expect(await subscription.take(AbortSignal.timeout(10_000))).toEqual([]);
        subscription.close();
        const got = keys(taken);
        expect(new Set(got).size).toBe(got.length);
        for (const agency of agencies) {
          expect(got.filter((key) => key.startsWith(agency))).toEqual(owed.filter((key) => key.startsWith(agency)));
        }
        expect(taken.every((row) => row.audience === audience.unit('MK', unit))).toBe(true);
      }),
      { seed: 20261201, numRuns: 25 },
    );
  });
});
