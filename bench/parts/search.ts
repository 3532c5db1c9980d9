// Goal 4 of issue 11: serial search over a million firearms in one node.
// The firearms are written by SQL (generate_series over md5 of the row number:
// the same rows on every run), straight into the XK node's database; the
// searches go through the node as the gateway sends them, as an MK officer, so
// that consent (the partner's sharing rule) and the disclosure log are on.

import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { normalizeSerial } from '../../src/domain/normalize.ts';
import { serialSearchKey } from '../../src/domain/schema/addSearchTypes.ts';
import { searchOperation, type NodeSearchResult } from '../../src/gateway/searchOperation.ts';
import { serialCandidates, similarityTerm } from '../../src/node/records/searchRecords.ts';
import { startBenchHub } from '../benchHub.ts';
import { percentile } from '../measure.ts';
import type { BenchContext, BenchFigure, BenchPart } from '../suite.ts';

const firearmsPerAlert = 4;
const probeCount = 1_000;
/** Sequential searches timed after this many untimed ones (JIT, pools, PostgreSQL's caches). */
const warmup = 50;
/** What an officer at a border crossing asks for: the ten best. */
const top = 10;

/** The serial with its second and second-to-last letters or digits unreadable, as a worn stamp reads. */
export function wear(serial: string): string {
  const readable = [...serial].flatMap((char, index) => (/[\p{L}\p{N}]/u.test(char) ? [index] : []));
  const worn = [...serial];
  for (const index of [readable[1], readable.at(-2)]) if (index !== undefined) worn[index] = '?';
  return worn.join('');
}

// ─── Seeding by SQL ─────────────────────────────────────────────────────────

/** The synthetic generator's serial alphabet (src/demo/demoData.ts): no I, O, Q, which stamps avoid. */
const serialAlphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const letters = 'ABCDEFGHJKMNPRTUVWXY';
const digits = '0123456789';

/** One character of `alphabet` chosen by byte `index` of the row's md5 (`h`). */
const pick = (alphabet: string, index: number) => `substr('${alphabet}', get_byte(h, ${index}) % ${alphabet.length} + 1, 1)`;
const run = (alphabet: string, from: number, count: number) => Array.from({ length: count }, (_, k) => pick(alphabet, from + k)).join(' || ');

/**
 * Serial shapes of the demo data, by share: the synthetic generator's 8–10
 * characters (30% with a separator after three), Zastava's model prefix and
 * digits ("M70-418273"), a Turkish blank-firing conversion's year, letter and
 * digits ("21C04512"), a Glock's letters and digits ("BKRS417"). Bytes 0–1
 * choose the shape, 2–14 the characters.
 */
const rawSerial = `case
  when get_byte(h, 0) < 205 then
    (select case when get_byte(h, 14) < 77 then left(s, 3) || '-' || substr(s, 4) else s end
       from (select left(${run(serialAlphabet, 2, 10)}, 8 + get_byte(h, 1) % 3) as s) generated)
  when get_byte(h, 0) < 230 then
    (array['M70-', 'M57-', 'M92-', '99-', 'M70A-', 'M84-'])[1 + get_byte(h, 1) % 6] || ${run(digits, 2, 7)}
  when get_byte(h, 0) < 243 then
    (15 + get_byte(h, 1) % 10)::text || ${pick(letters, 2)} || ${run(digits, 3, 6)}
  else ${run(letters, 2, 4)} || ${run(digits, 6, 3)}
end`;

/** normalizeSerial for what rawSerial writes (ASCII capitals, digits and dashes): the check below holds it to that. */
const normalizedSql = (column: string) => `translate(replace(${column}, '-', ''), 'OQILZSB', '0011258')`;

/** Firearm models of the demo catalogue, for the rows' other columns. */
const models = [
  ['Zastava', 'M70', 'PISTOL', '7.65 mm Browning'],
  ['Zastava', 'M57', 'PISTOL', '7.62×25 mm Tokarev'],
  ['Zastava', 'CZ 99', 'PISTOL', '9×19 mm'],
  ['Zastava', 'M70AB2', 'ASSAULT_RIFLE', '7.62×39 mm'],
  ['Glock', '17 Gen4', 'PISTOL', '9×19 mm'],
  ['Ekol', 'Firat Compact', 'PISTOL', '9 mm P.A.K. (converted)'],
  ['Baikal', 'IZH-27', 'SHOTGUN', '12/70'],
] as const;

const firearmId = (n: string) => `md5('bench-firearm-' || ${n})::uuid`;
const alertId = (n: string) => `md5('bench-alert-' || ${n})::uuid`;

/** Seizure alerts carrying the firearms, each shared with MK at SUMMARY (so hits carry their score), then the firearms. */
export function seedStatements(firearms: number, unit: string, now: Date): string[] {
  const alerts = Math.ceil(firearms / firearmsPerAlert);
  const at = `'${now.toISOString()}'::timestamptz`;
  const modelRows = models.map((row, index) => `(${index}, ${row.map((value) => `'${value}'`).join(', ')})`).join(', ');
  return [
    `insert into node.alert (id, reference, kind, title, occurred_at, location_kind, border_crossing,
                             risk_threat, risk_vulnerability, risk_impact, risk_level, unit_code, created_by, created_at, updated_at)
     select ${alertId('i')}, 'XK-BENCH-' || lpad(i::text, 7, '0'), 'SEIZURE', 'Benchmark seizure ' || i,
            ${at} - i * interval '20 seconds', 'BORDER_CROSSING_POINT',
            (enum_range(null::node.border_crossing_point))[1 + i % 4], 3, 3, 3, 'MEDIUM', '${unit}', 'bench.seed',
            ${at} - i * interval '20 seconds', ${at} - i * interval '20 seconds'
       from generate_series(1, ${alerts}) i`,
    `insert into node.sharing_rule (alert_id, partner_agency, tier, purposes, expires_at, set_by)
     select ${alertId('i')}, 'MK', 'SUMMARY', array['BORDER_CHECK', 'CRIMINAL_INVESTIGATION', 'FIREARM_TRACE'], ${at} + interval '1 year', 'bench.seed'
       from generate_series(1, ${alerts}) i`,
    // "offset 0" keeps each derived table from being inlined: md5 once per row, each serial built once.
    `insert into node.firearm (id, alert_id, position, make, model, type, calibre, serial_number, serial_normalized, created_at)
     select ${firearmId('n')}, ${alertId(`(1 + (n - 1) / ${firearmsPerAlert})`)}, (n - 1) % ${firearmsPerAlert},
            m.make, m.model, m.type::node.firearm_type, m.calibre, raw, ${normalizedSql('raw')}, ${at}
       from (select n, get_byte(h, 15) % ${models.length} as model, ${rawSerial} as raw
               from (select n, decode(md5('bench-serial-' || n), 'hex') as h from generate_series(1, ${firearms}) n offset 0) bytes
             offset 0) serials
       join (values ${modelRows}) m(position, make, model, type, calibre) on m.position = serials.model`,
  ];
}

/**
 * Writes the rows with the tables' secondary indexes dropped and builds them
 * again afterwards from their own definitions (one sort instead of a million
 * insertions into a GIN index), then analyses, as a restore would.
 */
export async function seed(client: pg.Client, firearms: number, unit: string, log: (line: string) => void): Promise<void> {
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `select indexname as name, indexdef as definition from pg_indexes
      where schemaname = 'node' and tablename in ('alert', 'firearm', 'sharing_rule') and indexname not like '%\\_pkey'`,
  );
  await client.query(`set maintenance_work_mem = '256MB'`);
  // The rows refer to each other by construction: no foreign-key trigger per row (the superuser's bulk-load switch).
  await client.query(`set session_replication_role = replica`);
  for (const index of indexes) await client.query(`drop index node.${pg.escapeIdentifier(index.name)}`);
  for (const statement of seedStatements(firearms, unit, new Date())) {
    const started = performance.now();
    const { rowCount } = await client.query(statement);
    log(`  ${rowCount} rows into ${/into (\S+)/.exec(statement)?.[1]} in ${seconds(performance.now() - started)}`);
  }
  await client.query(`set session_replication_role = origin`);
  const started = performance.now();
  for (const index of indexes) await client.query(index.definition);
  await client.query('vacuum analyze node.alert, node.firearm, node.sharing_rule');
  log(`  ${indexes.length} indexes built, tables analysed in ${seconds(performance.now() - started)}`);
}

// ─── Measuring ──────────────────────────────────────────────────────────────

interface Probe {
  /** As written on the seeded firearm. */
  serial: string;
  alertId: string;
  /** Serials in the node that match every readable character of the worn serial (1: only this one). */
  readableMatches: number;
}

/** Firearms spread over the whole table, the same on every run (a multiplicative stride coprime with any count here). */
async function chooseProbes(client: pg.Client, firearms: number, count: number): Promise<Probe[]> {
  const { rows } = await client.query<{ serial: string; alertId: string; normalized: string }>(
    `select f.serial_number as serial, f.alert_id::text as "alertId", f.serial_normalized as normalized
       from generate_series(0, $2 - 1) k join node.firearm f on f.id = md5('bench-firearm-' || (1 + (k * 7919::bigint) % $1))::uuid
      order by k`,
    [firearms, count],
  );
  const probes: Probe[] = [];
  for (const row of rows) {
    if (normalizeSerial(row.serial) !== row.normalized) throw new Error(`the seed normalised ${row.serial} as ${row.normalized}, the node would store ${normalizeSerial(row.serial)}`);
    const { rows: matches } = await client.query<{ n: number }>(`select count(*)::int as n from node.firearm where serial_normalized like $1`, [
      serialSearchKey(wear(row.serial)),
    ]);
    probes.push({ serial: row.serial, alertId: row.alertId, readableMatches: matches[0]?.n ?? 0 });
  }
  return probes;
}

/** Runs `operation` on each item in turn, after an untimed warm-up on the first items: durations sorted, results in item order. */
async function timeEach<T, R>(items: readonly T[], operation: (item: T, index: number) => Promise<R>): Promise<{ durations: number[]; results: R[] }> {
  for (const [index, item] of items.slice(0, warmup).entries()) await operation(item, index);
  const durations: number[] = [];
  const results: R[] = [];
  for (const [index, item] of items.entries()) {
    const started = performance.now();
    results.push(await operation(item, index));
    durations.push(performance.now() - started);
  }
  return { durations: durations.sort((a, b) => a - b), results };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Actual Total Time'?: number;
  Plans?: PlanNode[];
}

/** Each scan of a plan with its index and rows. */
function scansOf(plan: PlanNode): string[] {
  const scans: string[] = [];
  const walk = (node: PlanNode) => {
    // A branch its one-time filter turned off (never executed) read nothing.
    if (node['Actual Loops'] === 0) return;
    // Function and subquery scans only wrap the scans of tables and indexes.
    if (/Scan/.test(node['Node Type']) && !/^(Function|Subquery) Scan$/.test(node['Node Type'])) {
      const target = node['Index Name'] ?? node['Relation Name'] ?? '';
      scans.push(`${node['Node Type']}${target ? ` ${target}` : ''} rows=${(node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1)}`);
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan);
  return scans;
}

const buffersOf = (plan: PlanNode) => `shared hit=${plan['Shared Hit Blocks'] ?? 0} read=${plan['Shared Read Blocks'] ?? 0}`;

/** EXPLAIN (ANALYZE, BUFFERS) of a statement in one line: each scan with its index and rows, the buffers, the time. */
async function explain(client: pg.Client, statement: { text: string; values: unknown[] }): Promise<string> {
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
    `explain (analyze, buffers, format json) ${statement.text}`,
    statement.values,
  );
  const [{ Plan: plan, 'Execution Time': time }] = rows[0]!['QUERY PLAN'];
  return `${scansOf(plan).join('; ')}; buffers ${buffersOf(plan)}; ${time.toFixed(2)} ms`;
}

/**
 * The plans of the statements a function call runs (auto_explain, nested
 * statements, sent back as notices), one per step that touched a table:
 * "step 1: <scans>, <buffers>, <time>; step 2: …".
 */
async function explainSteps(client: pg.Client, statement: { text: string; values: unknown[] }): Promise<string> {
  await client.query(`load 'auto_explain'`);
  const settings = { log_min_duration: '0', log_nested_statements: 'on', log_analyze: 'on', log_buffers: 'on', log_format: 'json', log_level: 'notice' };
  for (const [name, value] of Object.entries(settings)) await client.query(`set auto_explain.${name} = '${value}'`);
  const plans: { Plan: PlanNode; 'Query Text': string }[] = [];
  const onNotice = (notice: { message?: string }) => {
    const json = notice.message?.match(/plan:\s*(\{[\s\S]*\})\s*$/)?.[1];
    if (json) plans.push(JSON.parse(json));
  };
  client.on('notice', onNotice);
  try {
    await client.query(statement);
  } finally {
    client.off('notice', onNotice);
    await client.query('set auto_explain.log_min_duration = -1');
  }
  const steps = plans
    .filter((plan) => scansOf(plan.Plan).length > 0)
    .map((plan, index) => `step ${index + 1}: ${scansOf(plan.Plan).join(', ')}, buffers ${buffersOf(plan.Plan)}, ${(plan.Plan['Actual Total Time'] ?? 0).toFixed(2)} ms`);
  return steps.join('; ');
}

const figureOf = (name: string, durations: readonly number[], goalMs: number, note: string, baseline?: BenchFigure['baseline']): BenchFigure => {
  const value = percentile(durations, 0.99);
  return { name, value, unit: 'ms', goal: `p99 ≤ ${goalMs} ms`, met: value <= goalMs, note: `p50 ${percentile(durations, 0.5).toFixed(2)} ms; ${note}`, ...(baseline ? { baseline } : {}) };
};

async function runSearch({ scale, log }: BenchContext): Promise<BenchFigure[]> {
  const firearms = Math.max(1_000, Math.round(1_000_000 * scale));
  const probesWanted = Math.max(100, Math.round(probeCount * Math.min(scale * 10, 1)));
  const hub = await startBenchHub({ agencies: ['XK', 'MK'], syntheticAlerts: 0, log });
  const client = new pg.Client({ connectionString: hub.setup.nodeDatabaseUrls.get('XK')! });
  await client.connect();
  try {
    log(`seeding ${firearms} firearms into the XK node by SQL`);
    const seedStarted = performance.now();
    await seed(client, firearms, 'XK-BP-HANI', log);
    const seedTime = performance.now() - seedStarted;
    const probes = await chooseProbes(client, firearms, probesWanted);
    const mk = await hub.as('mk-border-officer');
    const search = (serialNumber: string) => mk.node<NodeSearchResult>('XK', searchOperation, { input: { serialNumber }, first: top });
    // An MK officer whose roles cap partner data at HIT (admin): the same records, every score withheld, so the
    // node chooses the similar hits newest first (searchRecords.ts similarHits) instead of by their score.
    const atHit = hub.session(await hub.mint({ sub: 'mk.bench.admin', agency: 'MK', unit: 'MK-BP-BLACE', roles: ['admin'] }));
    const searchAtHit = (serialNumber: string) => atHit.node<NodeSearchResult>('XK', searchOperation, { input: { serialNumber }, first: top });

    // The database alone: the index lookup PostgreSQL answers, and the node's own candidate statement.
    log('exact serial at the database');
    const { durations: lookup } = await timeEach(probes, async (probe) => {
      await client.query({ name: 'lookup', text: 'select alert_id from node.firearm where serial_normalized = $1', values: [normalizeSerial(probe.serial)] });
    });
    const candidateStatement = (serial: string) => {
      const key = serialSearchKey(serial);
      // As the node asks for the first `top` hits when they are all released to the caller (they are, here).
      return serialCandidates(key, similarityTerm(key), top);
    };
    const { durations: exactStatement } = await timeEach(probes, async (probe) => {
      await client.query(candidateStatement(probe.serial));
    });
    const { durations: wornStatement } = await timeEach(probes, async (probe) => {
      await client.query(candidateStatement(wear(probe.serial)));
    });
    const sample = probes[0]!;
    // A serial of a model's prefix and digits ("M70-418273") shares its first trigrams with thousands of others.
    const crowded = probes.find((probe) => /^(M\d+A?|99)-/.test(probe.serial)) ?? sample;
    const plans = {
      lookup: await explain(client, { text: 'select alert_id from node.firearm where serial_normalized = $1', values: [normalizeSerial(sample.serial)] }),
      exact: await explainSteps(client, candidateStatement(sample.serial)),
      crowded: await explainSteps(client, candidateStatement(crowded.serial)),
      worn: await explainSteps(client, candidateStatement(wear(sample.serial))),
    };

    // Through the node: HTTP, both tokens verified, the consent decision, the released view, the disclosure entry.
    log(`exact serial through the node, ${probes.length} probes`);
    const exact = await timeEach(probes, async (probe, index) => {
      // Every other probe as an officer might type it: lower case, a space for the dash.
      const { search: hits } = await search(index % 2 ? probe.serial.toLowerCase().replace('-', ' ') : probe.serial);
      return hits[0]?.alert.id === probe.alertId && hits[0]?.match === 'EXACT';
    });
    const exactNode = exact.durations;
    const exactMisses = exact.results.filter((found) => !found).length;
    log(`two unreadable characters through the node, ${probes.length} probes`);
    const worn = await timeEach(probes, async (probe) => {
      const { search: hits } = await search(wear(probe.serial));
      return { first: hits[0]?.alert.id === probe.alertId, inTop: hits.some((hit) => hit.alert.id === probe.alertId) };
    });
    const wornNode = worn.durations;
    const first = worn.results.filter((result) => result.first).length;
    const inTop = worn.results.filter((result) => result.inTop).length;
    const ambiguousMisses = worn.results.filter((result, index) => !result.first && probes[index]!.readableMatches > 1).length;
    const firstShare = (first / probes.length) * 100;
    const ambiguous = probes.filter((probe) => probe.readableMatches > 1).length;
    log(`exact and two unreadable characters through the node, scores withheld (HIT), ${probes.length} probes each`);
    const exactAtHit = await timeEach(probes, async (probe) => {
      const { search: hits } = await searchAtHit(probe.serial);
      return { found: hits[0]?.alert.id === probe.alertId, similarWithheld: hits.filter((hit) => hit.match === 'SIMILAR' && hit.score === null).length };
    });
    const wornAtHit = await timeEach(probes, async (probe) => (await searchAtHit(wear(probe.serial))).search.some((hit) => hit.alert.id === probe.alertId));
    const chosenNewestFirst = exactAtHit.results.filter((result) => result.similarWithheld > 0).length;

    return [
      figureOf('search: exact serial, database (index lookup)', lookup, 2, `${firearms} firearms; plan: ${plans.lookup}`),
      figureOf('search: exact serial, database (node statement)', exactStatement, 2, `the node's candidate call (node.serial_candidates, first ${top}: exact and LIKE first, then % sharing k of n trigrams for k from n/2 down, then % at 0.3, each step only if the previous found fewer than ${top}); ${sample.serial}: ${plans.exact}; ${crowded.serial}: ${plans.crowded}`, {
        name: 'index lookup p99',
        value: percentile(lookup, 0.99),
      }),
      figureOf('search: exact serial, through the node', exactNode, 10, `MK officer on the XK node, consent and disclosure log on, first ${top}; ${exactMisses} probes without their firearm first`, {
        name: 'node statement p99',
        value: percentile(exactStatement, 0.99),
      }),
      figureOf('search: 2 unreadable (?), database (node statement)', wornStatement, 20, `the same call (LIKE first, then % at 0.3); ${wear(sample.serial)}: ${plans.worn}`),
      figureOf('search: 2 unreadable (?), top 10, through the node', wornNode, 20, `consent and disclosure log on`, {
        name: 'node statement p99',
        value: percentile(wornStatement, 0.99),
      }),
      figureOf('search: exact serial, through the node, scores withheld', exactAtHit.durations, 10, `MK officer whose roles cap partner data at HIT: ${chosenNewestFirst} of ${probes.length} probes had similar hits beside the exact one, chosen newest first among every similar serial; ${exactAtHit.results.filter((result) => !result.found).length} without their firearm first`, {
        name: 'exact serial through the node (scores released) p99',
        value: percentile(exactNode, 0.99),
      }),
      figureOf('search: 2 unreadable (?), top 10, through the node, scores withheld', wornAtHit.durations, 20, `the same officer; ${wornAtHit.results.filter(Boolean).length} of ${probes.length} probes with their firearm among the hits`, {
        name: '2 unreadable through the node (scores released) p99',
        value: percentile(wornNode, 0.99),
      }),
      {
        name: 'search: 2 unreadable (?), right firearm first',
        value: firstShare,
        unit: '%',
        goal: '≥ 99% of probes',
        met: firstShare >= 99,
        note: `${probes.length} probes; in the top ${top}: ${((inTop / probes.length) * 100).toFixed(1)}%; ${ambiguous} probes match another serial on every readable character (no ranking can tell them apart), ${ambiguousMisses} misses among them`,
      },
      { name: 'search: seeding by SQL', value: seedTime / 1000, unit: 's', note: `${firearms} firearms on ${Math.ceil(firearms / firearmsPerAlert)} alerts, indexes rebuilt, analysed` },
    ];
  } finally {
    await client.end();
    await hub.stop();
  }
}

const part: BenchPart = {
  name: 'search',
  description: 'Serial search over 1,000,000 firearms in one node: exact and with two unreadable characters, at the database and through the node',
  run: runSearch,
};

export default part;
