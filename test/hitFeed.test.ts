import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubPrismaClient, type HubPrismaClient } from '../src/database/createHubPrismaClient.ts';
import { listenForNotifications, type EventNotifier } from '../src/realtime/listenForNotifications.ts';
import type { FeedEvent } from '../src/generated/hub/client.ts';
import { createHitFeed, currentPositions, type FeedPositions, type FeedSubscription, type HitFeed } from '../src/realtime/hitFeed.ts';
import { hubFeedChannel } from '../src/realtime/hitStream.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';
import { templateDatabases } from './globalSetup.ts';

// The process's one reader of hub.feed_event and the subscriptions it serves,
// on a real hub database: rows are inserted as the gateway's takeEvents
// stores them (contiguous per agency, its notification trigger firing), and
// subscriptions take them as hitStream does.

const agencies = ['MK', 'XK'] as const;
const logger = pino({ level: 'silent' });

describe('the hub feed reader shared by the subscriptions of a process', () => {
  let database: TestDatabase;
  let prisma: HubPrismaClient;
  let notifier: EventNotifier;
  let writer: pg.Client;
  const next: Record<string, number> = { MK: 0, XK: 0 };
  const feeds: HitFeed[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('hitfeed', templateDatabases.hub);
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
    const feed = createHitFeed({ prisma, notifier, agencies, logger, pollMs: 50, bufferSize });
    feeds.push(feed);
    return feed;
  };

  /** Stores the next `units.length` events of the agency's feed in one statement, one per unit given; returns their seqs. */
  const store = async (agency: string, units: readonly string[]) => {
    const seqs = units.map(() => ++next[agency]!);
    await writer.query(
      `insert into hub.feed_event (agency, seq, at, kind, recipient_agency, recipient_unit, watch_entry_id, alert_id, purpose)
       select $1, s, now(), 'HIT', 'MK', u, $2::uuid, gen_random_uuid(), 'CRIMINAL_INVESTIGATION' from unnest($3::bigint[], $4::text[]) as t(s, u)`,
      [agency, randomUUID(), seqs, units],
    );
    return seqs;
  };

  /** Takes until `done`, advancing over every row, as hitStream does when each delivery succeeds. */
  const drain = async (subscription: FeedSubscription, taken: FeedEvent[], done: () => boolean) => {
    const signal = AbortSignal.timeout(30_000);
    while (!done() && !signal.aborted) {
      for (const row of await subscription.take(signal)) {
        taken.push(row);
        subscription.advance(row);
      }
    }
  };
  const keys = (rows: readonly FeedEvent[]) => rows.map((row) => `${row.agency}:${row.seq}`);

  it('gives a subscription whose buffer overflowed every row from the durable feed, once and in order', async () => {
    const feed = startFeed(2);
    const unit = `U-${randomUUID().slice(0, 8)}`;
    const slow = feed.subscribe({ agency: 'MK', unit }, await currentPositions(prisma, agencies));
    // Registered with the reader: an empty take.
    expect(await slow.take(AbortSignal.timeout(10_000))).toEqual([]);
    const seqs = await store('XK', Array.from({ length: 10 }, () => unit));
    // The reader has handed all ten over while nobody took any: the buffer of two overflowed.
    while ((feed.position()?.XK ?? 0) < seqs.at(-1)!) await notifier.wait(50);
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
    const subscription = feed.subscribe({ agency: 'MK', unit }, { MK: first!, XK: next.XK! });
    const taken: FeedEvent[] = [];
    await drain(subscription, taken, () => taken.length >= 2);
    const live = await store('XK', [unit]);
    await drain(subscription, taken, () => taken.length >= 3);
    expect(keys(taken)).toEqual([`MK:${missed[1]}`, `MK:${missed[2]}`, `XK:${live[0]}`]);
    subscription.close();
  });

  it('ends every waiting take when stopped', async () => {
    const feed = createHitFeed({ prisma, notifier, agencies, logger, pollMs: 60_000 });
    const subscription = feed.subscribe({ agency: 'MK', unit: 'U-STOP' }, await currentPositions(prisma, agencies));
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
        const subscription = feed.subscribe({ agency: 'MK', unit }, start);
        const taken: FeedEvent[] = [];
        const takeOnce = async (hold?: string) => {
          const held = new Set<string>();
          for (const row of await subscription.take(AbortSignal.timeout(10_000))) {
            if (held.has(row.agency)) continue;
            if (row.agency === hold) {
              held.add(row.agency);
              subscription.hold(row.agency);
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
        expect(taken.every((row) => row.recipientUnit === unit)).toBe(true);
      }),
      { seed: 20261201, numRuns: 25 },
    );
  });
});
