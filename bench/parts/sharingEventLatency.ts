// Issue 19's figures for alertShared and consentEvents, as hitLatency gives
// them for hits: graphql-ws subscribers on two `hub gateway` processes, events
// caused at the XK node at a steady rate, from the node's commit until the
// event is in the subscriber's hands; 0 lost, 0 duplicated, p99.
//
// consentEvents: 1,000 MK officers of as many units, each with a pending
// request on one XK alert; XK's duty officer decides 50 a second, and each
// decision reaches its unit (CONSENT_DECIDED). alertShared: an event is for a
// whole agency (every subscriber of MK asks the owner at delivery whether it
// gains), so 100 MK subscribers and 2 sharing rules a second: 200 deliveries
// a second, each decided and logged by the XK node.

import { performance } from 'node:perf_hooks';
import { nodeOperations } from '../../src/gateway/nodeOperations.ts';
import { startBenchHub } from '../benchHub.ts';
import { percentile } from '../measure.ts';
import type { BenchContext, BenchFigure, BenchPart } from '../suite.ts';
import {
  achievedRate,
  benchPurpose,
  describeError,
  eachLimited,
  endLiveRun,
  failures,
  latencyNote,
  measureWindow,
  offerAtRate,
  placementMs,
  seizure,
  sorted,
  startGatewayProcess,
  subscribe,
  subscriptionsInPlace,
  type Subscriber,
  type Write,
} from '../liveHits.ts';

const consentSubscribersAtScale1 = 1_000;
const decisionsPerSecondAtScale1 = 50;
const sharedSubscribersAtScale1 = 100;
const rulesPerSecondAtScale1 = 2;
const measuredSeconds = 20;
const drainMs = 15_000;
const gatewayProcesses = 2;
const setupConcurrency = 8;
const inDays = (days: number) => new Date(Date.now() + days * 864e5).toISOString();

const consentEvents = {
  query: 'subscription ConsentEvents { consentEvents { kind request { alertReference } } }',
  keyOf: (data: any): string | undefined => data?.consentEvents && `${data.consentEvents.kind}:${data.consentEvents.request.alertReference}`,
};
const alertShared = {
  query: 'subscription AlertShared { alertShared { cause alert { reference access { tier } } } }',
  keyOf: (data: any): string | undefined => data?.alertShared && `${data.alertShared.alert.access.tier}:${data.alertShared.alert.reference}`,
};

/** Latency from each write's commit to each of its subscribers, and what did not arrive once. */
function tally(writes: readonly Write[], subscribersOf: (k: number) => readonly Subscriber[]) {
  const fromCommit: number[] = [];
  let lost = 0;
  let duplicated = 0;
  let expected = 0;
  for (const [k, write] of writes.entries()) {
    if (!write.alertId) continue;
    for (const subscriber of subscribersOf(k)) {
      expected += 1;
      const copies = subscriber.arrivals.get(write.alertId) ?? [];
      if (copies.length === 0) lost += 1;
      if (copies.length > 1) duplicated += copies.length - 1;
      if (copies[0] !== undefined) fromCommit.push(copies[0] - write.answeredAt);
    }
  }
  return { fromCommit: sorted(fromCommit), lost, duplicated, expected };
}

async function drain(writes: readonly Write[], subscribersOf: (k: number) => readonly Subscriber[]) {
  const lastCommit = Math.max(...writes.map((write) => write.answeredAt));
  const missing = () => writes.some((write, k) => write.alertId && subscribersOf(k).some((subscriber) => !subscriber.arrivals.has(write.alertId!)));
  while (performance.now() < lastCommit + drainMs && missing()) await new Promise((resolve) => setTimeout(resolve, 200));
}

function figures(kind: string, writes: readonly Write[], subscribers: readonly Subscriber[], subscribersOf: (k: number) => readonly Subscriber[], setting: string): BenchFigure[] {
  const { fromCommit, lost, duplicated, expected } = tally(writes, subscribersOf);
  const errors = subscribers.reduce((count, subscriber) => count + subscriber.errors.length, 0);
  const errorKinds = [...new Set(subscribers.flatMap((subscriber) => subscriber.errors.map(describeError)))].slice(0, 3).join(' | ');
  const failed = failures(writes);
  return [
    {
      name: `${kind}: commit → subscriber, p99`,
      value: percentile(fromCommit, 0.99),
      unit: 'ms',
      goal: 'p99 ≤ 250 ms',
      met: percentile(fromCommit, 0.99) <= 250,
      baseline: { name: 'p50', value: percentile(fromCommit, 0.5) },
      note: `${setting}; ${achievedRate(writes).toFixed(1)}/s committed${failed.count ? `, ${failed.count} failed (${failed.reasons})` : ''}; from the XK node's answer: ${latencyNote(fromCommit)}`,
    },
    { name: `${kind}: lost`, value: lost, unit: 'events', goal: '0', met: lost === 0, note: `of ${expected} deliveries owed, none arrived within ${drainMs / 1000} s of the last commit` },
    {
      name: `${kind}: duplicated`,
      value: duplicated,
      unit: 'events',
      goal: '0',
      met: duplicated === 0,
      note: `extra copies at the same subscriber; errors on subscriptions: ${errors}${errorKinds ? ` (${errorKinds})` : ''}`,
    },
  ];
}

async function runSharingEventLatency({ scale, log }: BenchContext): Promise<BenchFigure[]> {
  const consentCount = Math.max(gatewayProcesses, Math.round(consentSubscribersAtScale1 * scale));
  const decisionsPerSecond = Math.max(1, Math.round(decisionsPerSecondAtScale1 * scale));
  const sharedCount = Math.max(gatewayProcesses, Math.round(sharedSubscribersAtScale1 * scale));
  const rulesPerSecond = Math.max(1, Math.round(rulesPerSecondAtScale1 * scale));
  const decisions = Math.min(consentCount, decisionsPerSecond * measuredSeconds);
  const rules = rulesPerSecond * measuredSeconds;
  const hub = await startBenchHub({ agencies: ['XK', 'MK'], syntheticAlerts: 0, log, gateway: { followFeeds: false }, nodeProcesses: true });
  const gateways: { url: URL; stop(): Promise<void> }[] = [];
  const subscribers: Subscriber[] = [];
  try {
    const xk = await hub.as('xk-border-officer');
    const duty = await hub.as('xk-duty-officer');
    log(`set-up: ${decisions + rules} XK alerts, ${decisions} MK requests on them`);
    const alerts: { id: string; reference: string }[] = [];
    await eachLimited(Array.from({ length: decisions + rules }, (_, k) => k), setupConcurrency, async (k) => {
      const data = await xk.node<{ createAlert: { id: string; reference: string } }>('XK', nodeOperations.createAlert, { input: seizure(`SE-${String(k).padStart(5, '0')}-XK`, `Shared ${k}`) });
      alerts[k] = data.createAlert;
    });
    const indexes = Array.from({ length: consentCount }, (_, index) => index);
    const tokens = await Promise.all(indexes.map((index) => hub.mint({ sub: `mk.shared.${index}`, agency: 'MK', unit: `MK-SHARED-${index}`, roles: ['officer'] })));
    const requests: string[] = [];
    await eachLimited(indexes.slice(0, decisions), setupConcurrency, async (k) => {
      const data = await hub.session(tokens[k]!).node<{ requestConsent: { id: string } }>('XK', nodeOperations.requestConsent, {
        input: { alertId: alerts[k]!.id, tier: 'FULL', justification: 'Bench: the driver is a suspect in our case.' },
      });
      requests[k] = data.requestConsent.id;
    });

    log(`starting ${gatewayProcesses} gateway processes; ${consentCount} consentEvents and ${sharedCount} alertShared sockets`);
    for (let index = 0; index < gatewayProcesses; index++) gateways.push(await startGatewayProcess(hub));
    const consent: Subscriber[] = [];
    await eachLimited(indexes, setupConcurrency, async (index) => {
      consent[index] = await subscribe(gateways[index % gatewayProcesses]!.url, tokens[index]!, consentEvents);
    });
    const shared: Subscriber[] = [];
    await eachLimited(indexes.slice(0, sharedCount), setupConcurrency, async (index) => {
      shared[index] = await subscribe(gateways[index % gatewayProcesses]!.url, tokens[index]!, alertShared);
    });
    subscribers.push(...consent, ...shared);
    const placedConsent = await subscriptionsInPlace(hub.setup.hubDatabaseUrl, consentCount, placementMs, 'consentEvents');
    const placedShared = await subscriptionsInPlace(hub.setup.hubDatabaseUrl, sharedCount, placementMs, 'alertShared');
    log(`${placedConsent} consentEvents and ${placedShared} alertShared subscriptions in place`);

    log(`consentEvents: ${decisionsPerSecond} decisions/s for ${decisions / decisionsPerSecond} s`);
    // bench/profileLive.ts summarises each load (its offer and its drain) of each process's profile on its own.
    const consentLoad = measureWindow('consentEvents');
    const decided = await offerAtRate(decisionsPerSecond, decisions, (k) => requests[k]!, async (k) => {
      await duty.node('XK', nodeOperations.decideConsentRequest, { id: requests[k], input: { decision: 'REFUSE', reason: 'Bench: not for this case.' } });
      return `CONSENT_DECIDED:${alerts[k]!.reference}`;
    });
    const consentOf = (k: number) => [consent[k]!];
    await drain(decided, consentOf);
    consentLoad();

    log(`alertShared: ${rulesPerSecond} sharing rules/s for ${measuredSeconds} s, each for ${sharedCount} subscribers`);
    const sharedLoad = measureWindow('alertShared');
    const ruled = await offerAtRate(rulesPerSecond, rules, (k) => alerts[decisions + k]!.id, async (k) => {
      const alert = alerts[decisions + k]!;
      await xk.node('XK', nodeOperations.setSharingPolicy, { id: alert.id, input: { rules: [{ partnerAgency: 'MK', tier: 'SUMMARY', purposes: [benchPurpose.purpose], expiresAt: inDays(30) }] } });
      return `SUMMARY:${alert.reference}`;
    });
    const everyShared = () => shared;
    await drain(ruled, everyShared);
    sharedLoad();

    const placement = (placed: number, count: number) => (placed < count ? ` (${count - placed} not in place after ${placementMs / 1000} s)` : '');
    return [
      ...figures(
        'consentEvents',
        decided,
        consent,
        consentOf,
        `${consentCount} subscribers (one officer and one socket per unit)${placement(placedConsent, consentCount)} on ${gatewayProcesses} \`hub gateway\` processes; ${decisionsPerSecond} decisions/s offered, ${decided.length} of ${decisions} sent, each to one unit`,
      ),
      ...figures(
        'alertShared',
        ruled,
        shared,
        everyShared,
        `${sharedCount} MK subscribers${placement(placedShared, sharedCount)} on ${gatewayProcesses} \`hub gateway\` processes, every one owed every event; ${rulesPerSecond} sharing rules/s offered for ${measuredSeconds} s, ${ruled.length} sent`,
      ),
    ];
  } finally {
    log('stopping');
    await endLiveRun(hub, gateways, subscribers);
  }
}

const part: BenchPart = {
  name: 'sharingEventLatency',
  description: 'consentEvents (1,000 subscribers, 50 decisions/s) and alertShared (100 subscribers, 2 sharing rules/s) on two gateway processes',
  run: runSharingEventLatency,
};

export default part;
