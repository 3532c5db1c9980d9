import { benchServers } from '../benchServers.ts';
import { httpLoads, inFlight, measureInterleaved, type Load, type Measurement } from '../measure.ts';
import { pageSize, readCalls } from '../readOperations.ts';
import type { BenchFigure, BenchPart } from '../suite.ts';

/** Issue 21's goals for the gateway's p50, sequential: over the XK node alone, and over Hive Gateway proxying it. */
const p50Goals = { alerts: { node: 1.3, hive: 1.3 }, alert: { node: 1.15, hive: 1.0 } } as const;
/** Requests in flight for the merged page under load (issue 21), and its goal: throughput ≥ this × the slower node's. */
const heavyInFlight = 64;
const heavyGoal = 0.8;

type Way = 'node' | 'passThrough' | 'hive' | 'gateway';
const wayNames: Record<Way, string> = { node: 'node XK', passThrough: 'pass-through', hive: 'Hive Gateway', gateway: 'gateway' };

export const gatewayPart: BenchPart = {
  name: 'gateway',
  description:
    `The gateway's cost (issue 21): alerts(first: ${pageSize}) merged over both nodes and alert(id), against the same request straight to the XK node, ` +
    'through a plain pass-through (Yoga forwarding the node\'s document) and through Hive Gateway proxying the XK node (@graphql-hive/gateway-runtime): ' +
    `neither merges nor audits; the merged page with ${heavyInFlight} in flight against each node alone; createAlert against the node.`,
  async run({ scale, log }) {
    const servers = await benchServers({ scale, log });
    const calls = await readCalls(servers);
    const loads = httpLoads(scale);
    const figures: BenchFigure[] = [];

    const compare = async (operation: string, key: 'alerts' | 'alert') => {
      const ways = { node: calls.node[key], passThrough: calls.passThrough[key], hive: calls.hiveProxy[key], gateway: calls.gateway[key] };
      const timed = async (load: Load) => {
        log(`gateway: ${operation}, ${load.requests} requests each way, ${load.label}`);
        return measureInterleaved(ways, load);
      };
      const one = await timed(loads.sequential);
      const many = await timed(loads.concurrent);
      const row = (way: Way, against: Way, statistic: 'p50' | 'p99' | 'throughput', measured: Record<Way, Measurement>, label: string): BenchFigure => {
        const unit = statistic === 'throughput' ? 'req/s' : 'ms';
        const what = statistic === 'throughput' ? 'req/s' : statistic;
        return {
          name: `${wayNames[way]} ${operation} ${what}, ${label}`,
          value: measured[way][statistic],
          unit,
          baseline: { name: `${wayNames[against]} ${what}`, value: measured[against][statistic] },
        };
      };
      const goals = p50Goals[key];
      const overNode = row('gateway', 'node', 'p50', one, 'sequential');
      const overHive = { ...row('gateway', 'hive', 'p50', one, 'sequential'), name: `gateway over Hive Gateway, ${operation} p50, sequential` };
      figures.push(
        { ...overNode, goal: `≤ ${goals.node}× node`, met: overNode.value <= goals.node * overNode.baseline!.value },
        { ...overHive, goal: `≤ ${goals.hive}× Hive Gateway`, met: overHive.value <= goals.hive * overHive.baseline!.value },
        row('hive', 'node', 'p50', one, 'sequential'),
        row('passThrough', 'node', 'p50', one, 'sequential'),
        {
          ...row('gateway', 'passThrough', 'p50', one, 'sequential'),
          name: `merging and audit: gateway over pass-through, ${operation} p50, sequential`,
        },
        row('gateway', 'node', 'p99', one, 'sequential'),
        row('hive', 'node', 'p99', one, 'sequential'),
        row('gateway', 'node', 'throughput', many, `${inFlight} in flight`),
        row('hive', 'node', 'throughput', many, `${inFlight} in flight`),
        row('passThrough', 'node', 'throughput', many, `${inFlight} in flight`),
        row('gateway', 'node', 'p50', many, `${inFlight} in flight`),
      );
    };
    await compare(`alerts(first: ${pageSize})`, 'alerts');
    await compare('alert(id)', 'alert');

    // The merged page under heavy load: both nodes in processes of their own, so the gateway should
    // keep up with the slower of them; any error fails the part (drive stops at the first).
    const heavy: Load = { ...loads.concurrent, label: `${heavyInFlight} in flight`, concurrency: heavyInFlight, requests: Math.max(heavyInFlight * 2, loads.concurrent.requests * 2) };
    log(`gateway: alerts(first: ${pageSize}), ${heavy.requests} requests each of node XK, node MK and gateway, ${heavy.label}`);
    const loaded = await measureInterleaved({ xk: calls.node.alerts, mk: calls.nodeMK.alerts, gateway: calls.gateway.alerts }, heavy);
    const slower = loaded.xk.throughput <= loaded.mk.throughput ? { name: 'node XK', ...loaded.xk } : { name: 'node MK', ...loaded.mk };
    figures.push(
      {
        name: `gateway alerts(first: ${pageSize}) req/s, ${heavy.label}, no error`,
        value: loaded.gateway.throughput,
        unit: 'req/s',
        baseline: { name: `slower node (${slower.name}) req/s`, value: slower.throughput },
        goal: `≥ ${heavyGoal}× slower node`,
        met: loaded.gateway.throughput >= heavyGoal * slower.throughput,
        note: `${heavy.requests} requests each; node XK ${loaded.xk.throughput.toFixed(1)} req/s (p50 ${loaded.xk.p50.toFixed(1)} ms), node MK ${loaded.mk.throughput.toFixed(1)} req/s (p50 ${loaded.mk.p50.toFixed(1)} ms), gateway p50 ${loaded.gateway.p50.toFixed(1)} ms, p99 ${loaded.gateway.p99.toFixed(1)} ms; 0 errors (the first would fail the part)`,
      },
    );

    log(`gateway: createAlert, ${loads.sequential.requests} requests each way, sequential`);
    const writes = await measureInterleaved({ node: calls.node.createAlert, gateway: calls.gateway.createAlert }, loads.sequential);
    figures.push({
      name: 'gateway createAlert p50, sequential',
      value: writes.gateway.p50,
      unit: 'ms',
      baseline: { name: 'node XK p50', value: writes.node.p50 },
    });
    return figures;
  },
};
