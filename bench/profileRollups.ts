// npx tsx bench/profileRollups.ts [--scale <factor>] [--writes <n>] [--plans]
//
// What keeping the joint picture's rollups costs a createAlert, inside
// PostgreSQL (issue 22), on the picture bench's data (bench/parts/picture.ts):
// 1. `writes` createAlert through the gateway with track_functions = 'all':
//    calls and time of each rollup function, and rows written to each rollup
//    table, per createAlert;
// 2. the same writes as createAlert makes them (alert, firearm, ammunition,
//    the reference's update, in one transaction) straight in SQL, alternating
//    with the rollups' triggers on and off: what they add, without the
//    gateway's and the node's own time around it;
// 3. with --plans, one such transaction under auto_explain (nested statements,
//    analyze, buffers): the plan and time of every statement the triggers run.

import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startBenchHub } from './benchHub.ts';
import { percentile } from './measure.ts';
import { gatewayDocuments } from './readOperations.ts';
import { benchAlert, seed, setRollups } from './parts/picture.ts';

const { values: options } = parseArgs({ options: { scale: { type: 'string', default: '1' }, writes: { type: 'string', default: '200' }, plans: { type: 'boolean', default: false } } });
const scale = Number(options.scale);
const writes = Number(options.writes);
const log = (line: string) => process.stderr.write(`${line}\n`);

// One createAlert's writes as the node makes them, for the SQL replay (one firearm, one lot, then the reference).
const replay = [
  `insert into node.alert (id, reference, kind, title, occurred_at, location_kind, border_crossing, risk_threat, risk_vulnerability, risk_impact,
                           risk_level, unit_code, created_by, updated_at)
   values ($1::uuid, 'pending-' || replace($1::uuid::text, '-', ''), 'SEIZURE', 'Pistols in the spare wheel', now() - interval '1 hour', 'BORDER_CROSSING_POINT',
           'HANI_I_ELEZIT_BLACE', 4, 3, 4, 'HIGH', 'XK-BP-HANI', 'profile', now())`,
  `insert into node.firearm (id, alert_id, position, make, model, type, calibre, eu_category) values (gen_random_uuid(), $1::uuid, 0, 'Zastava', 'M70', 'PISTOL', '7.65×17 mm', 'B')`,
  `insert into node.ammunition (id, alert_id, position, calibre, quantity) values (gen_random_uuid(), $1::uuid, 0, '7.65×17 mm', 48)`,
  `update node.alert set reference = 'XK-PRF-' || substr(replace($1::uuid::text, '-', ''), 1, 20), updated_at = now() where id = $1::uuid`,
];

async function replayOnce(client: pg.Client) {
  const id = crypto.randomUUID();
  await client.query('begin');
  for (const statement of replay) await client.query(statement, [id]);
  await client.query('commit');
}

async function main() {
  const alerts = Math.max(2_000, Math.round(250_000 * scale));
  const hub = await startBenchHub({ agencies: ['XK', 'MK'], syntheticAlerts: 0, log });
  try {
    const url = hub.setup.nodeDatabaseUrls.get('XK')!;
    log(`seeding ${alerts} alerts at XK`);
    await seed(url, alerts, 'XK-BP-HANI', log);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const officer = await hub.as('xk-border-officer');
      const write = () => officer.gateway(gatewayDocuments.createAlert, { input: benchAlert(new Date()) });
      for (let i = 0; i < 20; i += 1) await write();

      // 1. Functions and rows per createAlert through the gateway.
      await admin.query(`alter system set track_functions = 'all'`);
      await admin.query('select pg_reload_conf()');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await admin.query('select pg_stat_reset()');
      await admin.query('select pg_stat_force_next_flush()');
      for (let i = 0; i < writes; i += 1) await write();
      // Backends report their counters when idle for a second.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const functions = await admin.query<{ name: string; calls: string; total: number; self: number }>(
        `select funcname as name, calls, total_time as total, self_time as self from pg_stat_user_functions where schemaname = 'node' and funcname like 'stat%' order by total_time desc`,
      );
      const tables = await admin.query<{ name: string; ins: string; upd: string; hot: string; del: string }>(
        `select relname as name, n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot, n_tup_del as del from pg_stat_user_tables where schemaname = 'node' and relname like 'stat%' order by relname`,
      );
      console.log(`\n## Per createAlert through the gateway (${writes} writes, ${alerts} alerts seeded)\n`);
      console.log('| function | calls per createAlert | total ms per createAlert | self ms per createAlert |\n|---|---:|---:|---:|');
      for (const row of functions.rows) {
        console.log(`| ${row.name} | ${(Number(row.calls) / writes).toFixed(2)} | ${(row.total / writes).toFixed(3)} | ${(row.self / writes).toFixed(3)} |`);
      }
      console.log('\n| table | inserted | updated (HOT) | deleted | per createAlert |\n|---|---:|---:|---:|---|');
      for (const row of tables.rows) {
        const per = (n: string) => (Number(n) / writes).toFixed(2);
        console.log(`| ${row.name} | ${row.ins} | ${row.upd} (${row.hot}) | ${row.del} | ${per(row.ins)} ins, ${per(row.upd)} upd, ${per(row.del)} del |`);
      }
      await admin.query(`alter system reset track_functions`);
      await admin.query('select pg_reload_conf()');

      // 2. The same writes in SQL, triggers on and off, alternating blocks.
      const timed = { on: [] as number[], off: [] as number[] };
      for (let round = 0; round < 6; round += 1) {
        for (const on of round % 2 ? [true, false] : [false, true]) {
          await setRollups([url], on);
          for (let i = 0; i < 5; i += 1) await replayOnce(admin);
          for (let i = 0; i < Math.max(20, writes / 6); i += 1) {
            const started = performance.now();
            await replayOnce(admin);
            timed[on ? 'on' : 'off'].push(performance.now() - started);
          }
        }
      }
      await setRollups([url], true);
      const p50 = (list: number[]) => percentile([...list].sort((a, b) => a - b), 0.5);
      console.log(`\n## createAlert's writes in SQL (one transaction, ${timed.on.length} each way)\n`);
      console.log(`with the rollups p50 ${p50(timed.on).toFixed(3)} ms, without ${p50(timed.off).toFixed(3)} ms: + ${(p50(timed.on) - p50(timed.off)).toFixed(3)} ms`);

      // 3. Plans of the triggers' statements.
      if (options.plans) {
        const plans: string[] = [];
        admin.on('notice', (notice) => {
          if (notice.severity === 'LOG') plans.push(notice.message ?? '');
        });
        await admin.query(`load 'auto_explain'`);
        for (const setting of ['log_min_duration = 0', 'log_analyze = on', 'log_buffers = on', 'log_nested_statements = on', 'log_triggers = on']) {
          await admin.query(`set auto_explain.${setting}`);
        }
        await admin.query('set client_min_messages = log');
        await replayOnce(admin);
        await admin.query('set client_min_messages = notice');
        console.log(`\n## One createAlert's writes under auto_explain\n\n\`\`\`\n${plans.join('\n\n')}\n\`\`\``);
      }
    } finally {
      await admin.end();
    }
  } finally {
    await hub.stop();
  }
}

await main();
