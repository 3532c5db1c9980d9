// Issue 19: one agency's node down holds back only its own agency's hits. A
// thousand graphql-ws subscribers on two `hub gateway` processes, XK and MK
// each recording 25 watched seizures a second for a minute (50 in all), and
// XK cut off from both gateway processes for 30 s in the middle (every
// connection to it reset, as to a node that is down; XK itself keeps
// recording): MK's hits must keep their latency, and XK's arrive, in XK's
// order, once it answers again.

import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startBenchHub } from '../benchHub.ts';
import { startCutOffProxy, type CutOffProxy } from '../cutOffProxy.ts';
import { describeError, endLiveRun, latencyNote, plateOf, sorted, startGatewayProcess, watchingSubscribers, writeAtRate, type Subscriber, type Write } from '../liveHits.ts';
import { percentile } from '../measure.ts';
import type { BenchContext, BenchFigure, BenchPart } from '../suite.ts';

const subscribersAtScale1 = 1_000;
/** Watched records per second at each of the two nodes. */
const perAgencyAtScale1 = 25;
const runSeconds = 60;
const outageFromSeconds = 15;
const outageSeconds = 30;
/** How long after XK is back and the last commit a hit may still arrive before it counts as lost. */
const drainMs = 30_000;
const gatewayProcesses = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Per subscriber, what it was sent of one agency's writes: lost, duplicated, arrivals out of the node's order, latencies. */
function tally(writes: readonly Write[], subscriberOf: (k: number) => Subscriber, seqOf: ReadonlyMap<string, number>) {
  let lost = 0;
  let duplicated = 0;
  const arrivals: { write: Write; at: number }[] = [];
  const mine = new Map<Subscriber, Set<string>>();
  for (const [k, write] of writes.entries()) {
    if (!write.alertId) continue;
    const subscriber = subscriberOf(k);
    mine.set(subscriber, (mine.get(subscriber) ?? new Set()).add(write.alertId));
    const copies = subscriber.arrivals.get(write.alertId) ?? [];
    if (copies.length === 0) lost += 1;
    if (copies.length > 1) duplicated += copies.length - 1;
    if (copies[0] !== undefined) arrivals.push({ write, at: copies[0] });
  }
  // In order: each subscriber received this agency's hits in the order of the node's feed.
  let outOfOrder = 0;
  for (const [subscriber, ids] of mine) {
    const received = subscriber.order.filter((id) => ids.has(id)).map((id) => seqOf.get(id) ?? Number.NaN);
    outOfOrder += received.filter((seq, index) => index > 0 && !(seq > received[index - 1]!)).length;
  }
  return { lost, duplicated, outOfOrder, arrivals };
}

async function runHitOutage({ scale, log }: BenchContext): Promise<BenchFigure[]> {
  const subscriberCount = Math.max(gatewayProcesses, Math.round(subscribersAtScale1 * scale));
  const perAgency = Math.max(1, Math.round(perAgencyAtScale1 * scale));
  const hub = await startBenchHub({ agencies: ['XK', 'MK'], syntheticAlerts: 0, log, gateway: { followFeeds: false }, nodeProcesses: true });
  const proxies = new Map<string, CutOffProxy>();
  const gateways: { url: URL; stop(): Promise<void> }[] = [];
  const subscribers: Subscriber[] = [];
  try {
    for (const [agency, url] of hub.setup.nodeUrls) proxies.set(agency, await startCutOffProxy(url));
    const throughProxies = new Map([...proxies].map(([agency, proxy]) => [agency, proxy.url]));
    log(`starting ${gatewayProcesses} gateway processes, each reaching the nodes through a relay that can cut one off`);
    for (let index = 0; index < gatewayProcesses; index++) gateways.push(await startGatewayProcess(hub, throughProxies));
    const placed = await watchingSubscribers(hub, gateways.map((gateway) => gateway.url), subscriberCount, subscribers, log);
    const [xk, mk] = [await hub.as('xk-border-officer'), await hub.as('mk-border-officer')];

    log(`XK and MK each record ${perAgency} watched seizures/s for ${runSeconds} s; XK is cut off from ${outageFromSeconds} s for ${outageSeconds} s`);
    let cutAt = Number.NaN;
    let restoredAt = Number.NaN;
    const outage = (async () => {
      await sleep(outageFromSeconds * 1000);
      cutAt = performance.now();
      proxies.get('XK')!.cutOff();
      await sleep(outageSeconds * 1000);
      proxies.get('XK')!.restore();
      restoredAt = performance.now();
    })();
    // MK's records are for other units than XK's at the same moment: each subscriber gets both agencies' hits over the run.
    const offset = Math.floor(subscriberCount / 2);
    const [xkWrites, mkWrites] = await Promise.all([
      writeAtRate(xk, perAgency, perAgency * runSeconds, (k) => plateOf(k % subscriberCount), 'XK watched seizure', 'XK'),
      writeAtRate(mk, perAgency, perAgency * runSeconds, (k) => plateOf((k + offset) % subscriberCount), 'MK watched seizure', 'MK'),
    ]);
    await outage;
    const subscriberOf = (agency: 'XK' | 'MK') => (k: number) => subscribers[(agency === 'XK' ? k : k + offset) % subscriberCount]!;
    const undelivered = () =>
      (['XK', 'MK'] as const).some((agency) =>
        (agency === 'XK' ? xkWrites : mkWrites).some((write, k) => write.alertId && !subscriberOf(agency)(k).arrivals.has(write.alertId)),
      );
    const lastCommit = Math.max(restoredAt, ...xkWrites.map((write) => write.answeredAt), ...mkWrites.map((write) => write.answeredAt));
    log('draining');
    while (performance.now() < lastCommit + drainMs && undelivered()) await sleep(200);

    // Each node's feed order, from its own database.
    const seqs = new Map<string, Map<string, number>>();
    for (const agency of ['XK', 'MK']) {
      const client = new pg.Client({ connectionString: hub.setup.nodeDatabaseUrls.get(agency)! });
      await client.connect();
      const { rows } = await client.query<{ alert_id: string; seq: string }>(`select alert_id, min(seq) as seq from node.event where kind = 'HIT' group by alert_id`);
      await client.end();
      seqs.set(agency, new Map(rows.map((row) => [row.alert_id, Number(row.seq)])));
    }
    const xkTally = tally(xkWrites, subscriberOf('XK'), seqs.get('XK')!);
    const mkTally = tally(mkWrites, subscriberOf('MK'), seqs.get('MK')!);
    const during = (write: Write) => write.answeredAt >= cutAt && write.answeredAt <= restoredAt;
    const latencies = (arrivals: typeof mkTally.arrivals, inWindow: boolean) =>
      sorted(arrivals.filter(({ write }) => during(write) === inWindow).map(({ write, at }) => at - write.answeredAt));
    const mkDuring = latencies(mkTally.arrivals, true);
    const mkOutside = latencies(mkTally.arrivals, false);
    const xkHeld = xkTally.arrivals.filter(({ write }) => write.answeredAt <= restoredAt && write.answeredAt >= cutAt - 5_000);
    const xkBack = xkHeld.length ? Math.max(...xkHeld.map(({ at }) => at)) - restoredAt : Number.NaN;
    const errors = [...new Set(subscribers.flatMap((subscriber) => subscriber.errors.map(describeError)))];
    const committed = (writes: readonly Write[]) => writes.filter((write) => write.alertId).length;
    const setting =
      `${subscriberCount} subscribers on ${gatewayProcesses} \`hub gateway\` processes (${placed} in place); XK and MK each offered ${perAgency} watched records/s for ${runSeconds} s ` +
      `(${committed(xkWrites)} and ${committed(mkWrites)} committed); XK cut off from both gateway processes for ${outageSeconds} s (connections reset) while it kept recording`;
    const p99During = percentile(mkDuring, 0.99);
    return [
      {
        name: "outage: the other agency's hits during XK's outage, p99",
        value: p99During,
        unit: 'ms',
        goal: 'p99 ≤ 250 ms',
        met: p99During <= 250,
        baseline: { name: 'p99 of its hits outside the outage', value: percentile(mkOutside, 0.99) },
        note: `${setting}; MK commit → subscriber during the outage: ${latencyNote(mkDuring)}; outside it: ${latencyNote(mkOutside)}`,
      },
      {
        name: "outage: the cut-off agency's hits once back, lost or out of order",
        value: xkTally.lost + xkTally.outOfOrder + xkTally.duplicated,
        unit: 'hits',
        goal: '0',
        met: xkTally.lost + xkTally.outOfOrder + xkTally.duplicated === 0,
        note: `XK: ${xkTally.lost} lost, ${xkTally.duplicated} duplicated, ${xkTally.outOfOrder} out of XK's feed order, of ${committed(xkWrites)} committed; the last of the ${xkHeld.length} held by the outage arrived ${(xkBack / 1000).toFixed(1)} s after XK was back`,
      },
      {
        name: "outage: the other agency's hits lost or duplicated",
        value: mkTally.lost + mkTally.duplicated + mkTally.outOfOrder,
        unit: 'hits',
        goal: '0',
        met: mkTally.lost + mkTally.duplicated + mkTally.outOfOrder === 0,
        note: `MK: ${mkTally.lost} lost, ${mkTally.duplicated} duplicated, ${mkTally.outOfOrder} out of order; errors on subscriptions: ${errors.length ? errors.slice(0, 3).join(' | ') : 'none'}`,
      },
    ];
  } finally {
    log('stopping');
    await endLiveRun(hub, gateways, subscribers, [...proxies.values()]);
  }
}

const part: BenchPart = {
  name: 'hitOutage',
  description: "Real-time hits while one agency's node is down: 1,000 graphql-ws subscribers on two gateway processes, 50 watched records/s from XK and MK, XK cut off for 30 s",
  run: runHitOutage,
};

export default part;
