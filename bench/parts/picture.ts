// The joint picture (issue 22): jointPicture for 24 months × every place ×
// firearm type through the gateway, over 250,000 alerts and 1,000,000
// firearms per node, and what keeping the rollups costs createAlert.

import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { purposeHeader } from '../../src/consent/declaredPurpose.ts';
import { startBenchHub } from '../benchHub.ts';
import { gatewayDocuments } from '../readOperations.ts';
import { percentile } from '../measure.ts';
import type { BenchContext, BenchFigure, BenchPart } from '../suite.ts';

const firearmsPerAlert = 4;
const months = 24;

/**
 * Alerts over the last `months` months, by SQL: most at the four crossing points, some on the
 * green border (three sectors by longitude) and inland, with their CIRAM scores, those away from
 * a crossing point naming one of six border municipalities (in more than one spelling) or a place
 * the municipality list does not know; four firearms
 * each, of every type, now and then converted, 3D-printed, reactivated or obliterated.
 */
function seedStatements(alerts: number, unit: string, now: Date): string[] {
  const at = `'${now.toISOString()}'::timestamptz`;
  const id = (n: string) => `md5('picture-alert-' || ${n})::uuid`;
  return [
    `insert into node.alert (id, reference, kind, title, occurred_at, location_kind, border_crossing, latitude, longitude,
                             risk_threat, risk_vulnerability, risk_impact, risk_level, unit_code, created_by, created_at, updated_at, municipality)
     select ${id('i')}, '${unit.slice(0, 2)}-PIC-' || lpad(i::text, 7, '0'),
            (array['SEIZURE', 'SEIZURE', 'SEIZURE', 'STOLEN_FIREARM', 'LOST_FIREARM', 'TRACE_REQUEST'])[1 + i % 6]::node.alert_kind,
            'Picture benchmark ' || i, ${at} - (i % ${months * 30}) * interval '1 day' - (i % 24) * interval '1 hour',
            case when i % 10 < 6 then 'BORDER_CROSSING_POINT' when i % 10 < 9 then 'GREEN_BORDER' else 'MUNICIPALITY' end::node.location_kind,
            case when i % 10 < 6 then (enum_range(null::node.border_crossing_point))[1 + (i / 10) % 4] end,
            case when i % 10 between 6 and 8 then 42.1 end, case when i % 10 between 6 and 8 then 20.9 + (i % 7) * 0.12 end,
            1 + i % 5, 1 + (i / 5) % 5, 1 + (i / 25) % 5, (enum_range(null::node.risk_level))[1 + i % 4], '${unit}', 'bench.seed', ${at}, ${at},
            case when i % 10 >= 6 then (array['Kaçanik', 'Hani i Elezit', 'Viti', 'Dragash', 'Kumanovo', 'Lipkovo', 'Kacanik', 'a hamlet'])[1 + (i / 7) % 8] end
       from generate_series(1, ${alerts}) i`,
    `insert into node.firearm (id, alert_id, position, make, model, type, calibre, eu_category, converted_gas_alarm, printed_3d, reactivated, serial_obliterated, created_at)
     select md5('picture-firearm-' || n)::uuid, ${id(`(1 + (n - 1) / ${firearmsPerAlert})`)}, (n - 1) % ${firearmsPerAlert}, 'Zastava', 'M70',
            (enum_range(null::node.firearm_type))[1 + (n / 3) % 10], '7.62', (enum_range(null::node.eu_firearm_category))[1 + n % 3],
            n % 23 = 0, n % 97 = 0, n % 53 = 0, n % 31 = 0, ${at}
       from generate_series(1, ${alerts * firearmsPerAlert}) n`,
  ];
}

/** Writes the rows with triggers off (the superuser's bulk-load switch), then builds the rollups in one set-based refresh. */
export async function seed(url: string, alerts: number, unit: string, log: (line: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`set session_replication_role = replica`);
    for (const statement of seedStatements(alerts, unit, new Date())) await client.query(statement);
    await client.query(`set session_replication_role = origin`);
    const started = performance.now();
    await client.query(`select node.stat_refresh(array_agg(id)) from node.alert`);
    await client.query('vacuum analyze node.alert, node.firearm, node.stat_alert, node.stat_cell');
    log(`  ${unit}: ${alerts} alerts, rollups built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await client.end();
  }
}

const pictureQuery = /* GraphQL */ `
  query Picture($input: StatisticsInput!) {
    jointPicture(input: $input) { periods tables { agency protected suppressedCells } cells { agency period values suppressed alerts firearms } }
  }
`;

/** Switches the rollup's triggers of every table off or on (the owner may; measures the cost they add). */
export async function setRollups(urls: readonly string[], on: boolean) {
  for (const url of urls) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const table of ['alert', 'firearm', 'ammunition', 'explosive', 'sharing_rule']) {
        for (const event of ['insert', 'update', 'delete']) await client.query(`alter table node.${table} ${on ? 'enable' : 'disable'} trigger stat_${table}_${event}`);
      }
    } finally {
      await client.end();
    }
  }
}

async function runPicture({ scale, log }: BenchContext): Promise<BenchFigure[]> {
  const alerts = Math.max(2_000, Math.round(250_000 * scale));
  // The first request reads every period's rollup and builds its blocks: more than the default 5 s on a loaded machine.
  const hub = await startBenchHub({ agencies: ['XK', 'MK'], syntheticAlerts: 0, log, gateway: { nodeTimeoutMs: 30_000 } });
  try {
    const urls = [...hub.setup.nodeDatabaseUrls.values()];
    log(`seeding ${alerts} alerts and ${alerts * firearmsPerAlert} firearms per node by SQL`);
    await Promise.all([...hub.setup.nodeDatabaseUrls].map(([agency, url]) => seed(url, alerts, `${agency}-BP-${agency === 'XK' ? 'HANI' : 'BLACE'}`, log)));

    const token = await hub.token('xk-analyst');
    const now = new Date();
    const name = (monthsAgo: number) => {
      const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
      return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    const input = { dimensions: ['PLACE', 'FIREARM_TYPE'], from: name(months - 1), to: name(0) };
    const ask = async () => {
      const response = await fetch(hub.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, [purposeHeader]: 'RISK_ANALYSIS' },
        body: JSON.stringify({ query: pictureQuery, variables: { input } }),
      });
      const body = (await response.json()) as { data?: { jointPicture: { cells: { suppressed: boolean }[] } }; errors?: { message: string }[] };
      if (body.errors?.length || !body.data) throw new Error(`jointPicture: ${body.errors?.map((error) => error.message).join('; ')}`);
      return body.data.jointPicture;
    };
    const requests = Math.max(20, Math.round(200 * Math.min(1, scale * 4)));
    const time = async (before?: () => Promise<unknown>) => {
      const durations: number[] = [];
      for (let i = 0; i < requests; i += 1) {
        await before?.();
        const started = performance.now();
        await ask();
        durations.push(performance.now() - started);
      }
      return durations.sort((a, b) => a - b);
    };
    log('jointPicture: first request (rollups read, blocks built)');
    const coldStarted = performance.now();
    const first = await ask();
    const cold = performance.now() - coldStarted;
    for (let i = 0; i < 5; i += 1) await ask();
    log(`jointPicture: ${requests} requests, sequential`);
    const warm = await time();
    const officer = await hub.as('xk-border-officer');
    const write = () => officer.gateway(gatewayDocuments.createAlert, { input: benchAlert(now) });
    log(`jointPicture: ${requests} requests, each after a createAlert in the period (that month read again)`);
    const afterWrite = await time(write);

    // createAlert with and without the rollups' triggers, alternating blocks, sequential.
    const rounds = 6;
    const perRound = Math.max(10, Math.round(40 * Math.min(1, scale * 4)));
    const withRollups: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < 10; i += 1) await write();
    log(`createAlert: ${rounds} rounds of ${perRound} with and ${perRound} without the rollups`);
    for (let round = 0; round < rounds; round += 1) {
      for (const on of round % 2 ? [true, false] : [false, true]) {
        await setRollups(urls, on);
        for (let i = 0; i < perRound; i += 1) {
          const started = performance.now();
          await write();
          (on ? withRollups : without).push(performance.now() - started);
        }
      }
    }
    await setRollups(urls, true);
    // percentile() reads sorted durations.
    withRollups.sort((a, b) => a - b);
    without.sort((a, b) => a - b);
    const suppressed = first.cells.filter((cell) => cell.suppressed).length;
    const p95 = percentile(warm, 0.95);
    const p95AfterWrite = percentile(afterWrite, 0.95);
    const costP50 = percentile(withRollups, 0.5);
    const baseP50 = percentile(without, 0.5);
    const note = `XK analyst, RISK_ANALYSIS, ${months} months × PLACE × FIREARM_TYPE, both nodes (XK whole, MK protected); ${alerts} alerts and ${alerts * firearmsPerAlert} firearms per node; ${first.cells.length} cells, ${suppressed} suppressed`;
    return [
      { name: 'picture: jointPicture p95, sequential', value: p95, unit: 'ms', goal: 'p95 ≤ 200 ms', met: p95 <= 200, note: `p50 ${percentile(warm, 0.5).toFixed(1)} ms; ${note}` },
      {
        name: 'picture: jointPicture p95, each after a createAlert',
        value: p95AfterWrite,
        unit: 'ms',
        baseline: { name: 'p95 without writes', value: p95 },
        goal: 'p95 ≤ 200 ms',
        met: p95AfterWrite <= 200,
        note: `p50 ${percentile(afterWrite, 0.5).toFixed(1)} ms; the written month's rollup read again and its blocks rebuilt at both nodes' next request`,
      },
      { name: 'picture: jointPicture, first request', value: cold, unit: 'ms', note: `every period's rollup read and its blocks built` },
      {
        name: 'picture: createAlert p50 with the rollups',
        value: costP50,
        unit: 'ms',
        baseline: { name: 'without the rollups (triggers off)', value: baseP50 },
        goal: '≤ 1.10× without',
        met: costP50 <= baseP50 * 1.1,
        note: `through the gateway, sequential, ${rounds} alternating rounds of ${perRound}; p95 ${percentile(withRollups, 0.95).toFixed(1)} ms vs ${percentile(without, 0.95).toFixed(1)} ms`,
      },
    ];
  } finally {
    await hub.stop();
  }
}

/** A seizure in the picture's last month, as an officer would report it. */
export function benchAlert(now: Date) {
  return {
    kind: 'SEIZURE',
    title: 'Pistols in the spare wheel',
    occurredAt: new Date(now.getTime() - 3_600_000).toISOString(),
    location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
    risk: { threat: 4, vulnerability: 3, impact: 4 },
    firearms: [{ make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65×17 mm', euCategory: 'B' }],
    ammunition: [{ calibre: '7.65×17 mm', quantity: 48 }],
  };
}

const part: BenchPart = {
  name: 'picture',
  description:
    'The joint picture (issue 22): jointPicture for 24 months × every place × firearm type through the gateway over 250,000 alerts and 1,000,000 firearms per node, and createAlert with the rollups against the same without them.',
  run: runPicture,
};

export default part;
