// Goal 5 of issue 11: real-time hits at scale. A thousand graphql-ws
// subscribers on two gateway processes (`hub gateway`, the production command,
// each its own OS process on the one hub database), and XK recording fifty
// seizures a second (issue 19's setting), each with a plate one MK unit
// watches: from the commit at the XK node until the hit is in the
// subscriber's hands, and where that time goes, hop by hop (deliveryStages.ts).

import { performance } from 'node:perf_hooks';
import { startBenchHub } from '../benchHub.ts';
import { deliveryStages } from '../deliveryStages.ts';
import {
  achievedRate,
  describeError,
  endLiveRun,
  failures,
  latencyNote,
  maxInFlight,
  measureWindow,
  placementMs,
  plateOf,
  sorted,
  startGatewayProcess,
  watchingSubscribers,
  writeAtRate,
  type Subscriber,
} from '../liveHits.ts';
import { percentile } from '../measure.ts';
import type { BenchContext, BenchFigure, BenchPart } from '../suite.ts';

const subscribersAtScale1 = 1_000;
/** Issue 19's setting: 50 watched records per second. */
const recordsPerSecondAtScale1 = 50;
/** Seconds of the measured load, and of the writer's baseline before anyone watches. */
const measuredSeconds = 30;
const baselineSeconds = 10;
/** How long after the last commit a hit may still arrive before it counts as lost. */
const drainMs = 15_000;
const gatewayProcesses = 2;
/** The longest the part waits for the warm-up's hits. */
const warmUpDrainMs = 10_000;
/** Warm-up writes (each for another subscriber), not measured: enough to open the connections on the delivery path. */
const warmUpWrites = 20;

async function runHitLatency({ scale, log }: BenchContext): Promise<BenchFigure[]> {
  const subscriberCount = Math.max(gatewayProcesses, Math.round(subscribersAtScale1 * scale));
  const perSecond = Math.max(1, Math.round(recordsPerSecondAtScale1 * scale));
  // The bench hub's own gateway registers the watch entries; it does not follow the feeds, so the two processes alone deliver.
  // Each node in a process of its own, as in production: not on the event loop of the part's thousand clients.
  const hub = await startBenchHub({ agencies: ['XK', 'MK'], syntheticAlerts: 0, log, gateway: { followFeeds: false }, nodeProcesses: true, commitTimestamps: true });
  const gateways: { url: URL; stop(): Promise<void> }[] = [];
  const subscribers: Subscriber[] = [];
  try {
    const xk = await hub.as('xk-border-officer');
    log(`writer baseline: ${perSecond} seizures/s for ${baselineSeconds} s, nobody watching`);
    const baseline = await writeAtRate(xk, perSecond, perSecond * baselineSeconds, (k) => `UN-${String(k).padStart(5, '0')}-XK`, 'Unwatched seizure');

    log(`starting ${gatewayProcesses} gateway processes`);
    for (let index = 0; index < gatewayProcesses; index++) gateways.push(await startGatewayProcess(hub));

    const placed = await watchingSubscribers(hub, gateways.map((gateway) => gateway.url), subscriberCount, subscribers, log);
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
    const hitsLoad = measureWindow('hits');
    const measured = await writeAtRate(xk, perSecond, perSecond * measuredSeconds, (k) => plateOf(k % subscriberCount), 'Watched seizure');
    const subscriberOf = (k: number) => subscribers[k % subscriberCount]!;
    const lastCommit = Math.max(...measured.map((write) => write.answeredAt));
    log('draining');
    while (performance.now() < lastCommit + drainMs && measured.some((write, k) => write.alertId && !subscriberOf(k).arrivals.has(write.alertId))) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    hitsLoad();

    const fromCommit: number[] = [];
    const fromRequest: number[] = [];
    const delivered: { alertId: string; arrivedAt: number }[] = [];
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
        delivered.push({ alertId: write.alertId, arrivedAt: copies[0] });
      }
    }
    const stages = await deliveryStages(hub, 'XK', 'HIT', delivered);
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
        note: `${setting}; from the XK node's answer to createAlert: ${latencyNote(fromCommit)}; from the request: ${latencyNote(fromRequest)}; ${stages}`,
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
    await endLiveRun(hub, gateways, subscribers);
  }
}

const part: BenchPart = {
  name: 'hitLatency',
  description: 'Real-time hits: 1,000 graphql-ws subscribers on two gateway processes, 50 watched records per second at the XK node (issue 19)',
  run: runHitLatency,
};

export default part;
