import { benchServers } from '../benchServers.ts';
import { httpLoads, inFlight, measureInterleaved, type Load, type Measurement } from '../measure.ts';
import { pageSize, readCalls } from '../readOperations.ts';
import type { BenchFigure, BenchPart } from '../suite.ts';

/** Goal 2 of issue 11: the gateway's p50 over the node's, sequential. */
const p50Goals = { alerts: 1.3, alert: 1.15 } as const;

type Way = 'node' | 'passThrough' | 'gateway';
const wayNames: Record<Way, string> = { node: 'node XK', passThrough: 'pass-through', gateway: 'gateway' };

export const gatewayPart: BenchPart = {
  name: 'gateway',
  description: `The gateway's cost (goal 2): alerts(first: ${pageSize}) merged over both nodes and alert(id), against the same request straight to the XK node and through a plain pass-through (Yoga forwarding the node's document to the XK node: no merging, no audit); createAlert against the node.`,
  async run({ scale, log }) {
    const servers = await benchServers({ scale, log });
    const calls = await readCalls(servers);
    const loads = httpLoads(scale);
    const figures: BenchFigure[] = [];

    const compare = async (operation: string, key: 'alerts' | 'alert') => {
      const ways = { node: calls.node[key], passThrough: calls.passThrough[key], gateway: calls.gateway[key] };
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
      const goal = p50Goals[key];
      const gatewayP50 = row('gateway', 'node', 'p50', one, 'sequential');
      figures.push(
        { ...gatewayP50, goal: `≤ ${goal}× node`, met: gatewayP50.value <= goal * gatewayP50.baseline!.value },
        row('passThrough', 'node', 'p50', one, 'sequential'),
        {
          ...row('gateway', 'passThrough', 'p50', one, 'sequential'),
          name: `merging and audit: gateway over pass-through, ${operation} p50, sequential`,
        },
        row('gateway', 'node', 'p99', one, 'sequential'),
        row('gateway', 'node', 'throughput', many, `${inFlight} in flight`),
        row('passThrough', 'node', 'throughput', many, `${inFlight} in flight`),
        row('gateway', 'node', 'p50', many, `${inFlight} in flight`),
      );
    };
    await compare(`alerts(first: ${pageSize})`, 'alerts');
    await compare('alert(id)', 'alert');

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
