// Where a real-time part's latency goes: each hop of the delivery path, from
// the times the databases recorded (the commit time of each row and audit
// entry, with track_commit_timestamp on: startBenchHub's commitTimestamps)
// and the part's own clock at the subscriber. Read after the run, so that
// measuring adds nothing to the path measured.

import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { BenchHub } from './benchHub.ts';
import { percentile } from './measure.ts';

/** One event delivered: its record at the owner, and when the subscriber had it (the part's performance clock). */
export interface DeliveredEvent {
  alertId: string;
  arrivedAt: number;
}

/** The hops, in order: each from the one before it. */
const hops = [
  ['read', "a gateway's follower has it from the node's feed (eventFeed's entry committed)"],
  ['stored', "in the hub's feed (row committed)"],
  ['disclosed', "the owner's delivery entry committed (hub feed reader, push verified, the node's delivery field)"],
  ['logged', "the gateway's push entry committed"],
  ['arrived', "in the subscriber's hands"],
] as const;
type Hop = (typeof hops)[number][0];

const commitMs = (column: string) => `(extract(epoch from pg_xact_commit_timestamp(${column})) * 1000)::float8`;

async function query<Row extends pg.QueryResultRow>(url: string, text: string, values: unknown[]): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The delivery path of `kind` events of `agency`'s node, hop by hop, for the
 * events delivered (p50 / p99 of each hop on its own, so they do not add up
 * to the total's p99), as a note for the part's figure.
 */
export async function deliveryStages(hub: BenchHub, agency: string, kind: string, delivered: readonly DeliveredEvent[]): Promise<string> {
  const nodeUrl = hub.setup.nodeDatabaseUrls.get(agency)!;
  const hubUrl = hub.setup.hubOwnerDatabaseUrl;
  const ids = [...new Set(delivered.map((event) => event.alertId))];
  const [events, reads, disclosures, rows, pushes] = await Promise.all([
    query<{ seq: string; alert_id: string; at: number }>(nodeUrl, `select seq, alert_id::text, ${commitMs('xmin')} as at from node.event where kind = $1 and alert_id::text = any($2)`, [kind, ids]),
    query<{ after: string; last: string; at: number }>(
      nodeUrl,
      `select details->'feed'->>'after' as after, details->'feed'->>'last' as last, ${commitMs('xmin')} as at from audit.entry where details ? 'feed'`,
      [],
    ),
    query<{ seq: string; at: number }>(
      nodeUrl,
      `select details->'delivery'->>'seq' as seq, min(${commitMs('xmin')}) as at from audit.entry where details->'delivery'->>'kind' = $1 group by 1`,
      [kind],
    ),
    query<{ seq: string; at: number }>(hubUrl, `select seq, ${commitMs('xmin')} as at from hub.feed_event where source = $1 and kind = $2`, [agency, kind]),
    query<{ seq: string; at: number }>(
      hubUrl,
      `select details->'delivery'->>'seq' as seq, min(${commitMs('xmin')}) as at from audit.entry where details->'delivery'->>'source' = $1 and details->'delivery'->>'kind' = $2 group by 1`,
      [agency, kind],
    ),
  ]);
  const bySeq = (list: readonly { seq: string; at: number }[]) => new Map(list.map((row) => [Number(row.seq), row.at]));
  const [disclosed, stored, logged] = [bySeq(disclosures), bySeq(rows), bySeq(pushes)];
  const eventOf = new Map(events.map((event) => [event.alert_id, event]));
  const feedReads = reads.map((read) => ({ after: Number(read.after), last: Number(read.last), at: read.at })).sort((a, b) => a.at - b.at);
  const spans = new Map<Hop | 'total', number[]>([...hops.map(([hop]) => [hop, []] as [Hop, number[]]), ['total', []]]);
  let complete = 0;
  // How many feed reads served each event: one with one follower per node, one per gateway process without.
  let served = 0;
  for (const { alertId, arrivedAt } of delivered) {
    const event = eventOf.get(alertId);
    if (!event || event.at === null) continue;
    const seq = Number(event.seq);
    served += feedReads.filter((read) => read.after < seq && seq <= read.last).length;
    const times: Record<Hop, number | undefined> = {
      read: feedReads.find((read) => read.after < seq && seq <= read.last)?.at,
      stored: stored.get(seq),
      disclosed: disclosed.get(seq),
      logged: logged.get(seq),
      arrived: performance.timeOrigin + arrivedAt,
    };
    if (Object.values(times).some((time) => time === undefined || time === null)) continue;
    complete += 1;
    let previous = event.at;
    for (const [hop] of hops) {
      spans.get(hop)!.push(times[hop]! - previous);
      previous = times[hop]!;
    }
    spans.get('total')!.push(times.arrived! - event.at);
  }
  const figure = (values: number[]) => {
    values.sort((a, b) => a - b);
    return `${percentile(values, 0.5).toFixed(0)} / ${percentile(values, 0.99).toFixed(0)}`;
  };
  return (
    `delivery path of ${complete} of ${delivered.length} events, each hop from the one before, p50 / p99 ms: ${agency} commit → ` +
    hops.map(([hop, what]) => `${what} ${figure(spans.get(hop)!)}`).join(' → ') +
    `; commit → hands ${figure(spans.get('total')!)}; ${agency}'s feed served these events ${served} times in all (${(served / Math.max(1, delivered.length)).toFixed(2)}× each)`
  );
}
