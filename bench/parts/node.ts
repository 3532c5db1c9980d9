import { benchServers } from '../benchServers.ts';
import { httpLoads, inFlight, measureInterleaved, type Measurement } from '../measure.ts';
import { pageSize, readCalls } from '../readOperations.ts';
import type { BenchFigure, BenchPart } from '../suite.ts';

/** Issue 11 measured 57–62 requests/s with 8 in flight on the landed main; the goal is three times that. */
const throughputBefore = 60;
const p50Goal = 8;
/** Issue 21: and no more than twice the node's own floor, { __typename } with the same credentials. */
const floorGoal = 2;

export const nodePart: BenchPart = {
  name: 'node',
  description: `An agency node's read path (issue 21): alerts(first: ${pageSize}) and alert(id) straight to the XK node with consent and audit on, beside the node's floor: { __typename } with the same credentials (HTTP, both tokens verified, Yoga).`,
  async run({ scale, log }) {
    const servers = await benchServers({ scale, log });
    const { node } = await readCalls(servers);
    const calls = { floor: node.floor, alerts: node.alerts, alert: node.alert };
    const { sequential, concurrent } = httpLoads(scale);
    log(`node: ${sequential.requests} requests each, sequential`);
    const one = await measureInterleaved(calls, sequential);
    log(`node: ${concurrent.requests} requests each, ${concurrent.label}`);
    const many = await measureInterleaved(calls, concurrent);

    const floor = (statistic: 'p50' | 'p99' | 'throughput', measured: Measurement, label: string) => ({
      name: `{ __typename } ${statistic === 'throughput' ? 'req/s' : statistic}, ${label}`,
      value: measured[statistic],
    });
    const figures = (operation: string, key: 'alerts' | 'alert', goals: boolean): BenchFigure[] => {
      const p50 = one[key].p50;
      const throughput = many[key].throughput;
      return [
        {
          name: `${operation} p50, sequential`,
          value: p50,
          unit: 'ms',
          baseline: floor('p50', one.floor, 'sequential'),
          ...(goals ? { goal: `≤ ${p50Goal} ms and ≤ ${floorGoal}× floor`, met: p50 <= p50Goal && p50 <= floorGoal * one.floor.p50 } : {}),
        },
        { name: `${operation} p99, sequential`, value: one[key].p99, unit: 'ms', baseline: floor('p99', one.floor, 'sequential') },
        {
          name: `${operation} req/s, ${inFlight} in flight`,
          value: throughput,
          unit: 'req/s',
          baseline: floor('throughput', many.floor, `${inFlight} in flight`),
          ...(goals ? { goal: `≥ ${3 * throughputBefore} req/s (3× issue 11's ${throughputBefore})`, met: throughput >= 3 * throughputBefore } : {}),
        },
        { name: `${operation} p50, ${inFlight} in flight`, value: many[key].p50, unit: 'ms', baseline: floor('p50', many.floor, `${inFlight} in flight`) },
      ];
    };
    return [...figures(`alerts(first: ${pageSize})`, 'alerts', true), ...figures('alert(id)', 'alert', false)];
  },
};
