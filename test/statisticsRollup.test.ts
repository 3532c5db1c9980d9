import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers.ts';

// The rollups behind the joint picture (node.stat_alert, node.stat_cell,
// node.stat_version) are kept by triggers in the transaction of every change,
// whoever writes. Generated changes (fast-check, fixed seed) of everything a
// statistic is derived from: alerts (period, place, kind, risk, handling code,
// municipality, even their id), their firearms, ammunition and explosives
// (added, changed, moved to another alert, deleted), the owner's sharing rules
// (which decide whom an alert is withheld from) and the agencies of the
// directory (an agency joining is a partner H2 alerts are withheld from),
// several to a transaction. After each transaction the rollups must equal a
// rebuild from the records, and every period whose cells changed must have a
// new version, or a node's cache would serve the old table.

const occurredAt = ['2025-01-30T12:00:00Z', '2025-02-01T12:00:00Z', '2025-02-14T08:00:00Z', '2025-03-31T23:30:00Z'];
/** location_kind, border_crossing, longitude: two crossing points, the three green-border sectors, inland. */
const places: [string, string | null, number | null][] = [
  ['BORDER_CROSSING_POINT', 'HANI_I_ELEZIT_BLACE', null],
  ['BORDER_CROSSING_POINT', 'GLLOBOCICE_JAZHINCE', null],
  ['GREEN_BORDER', null, 21.0],
  ['GREEN_BORDER', null, 21.3],
  ['GREEN_BORDER', null, 21.6],
  ['MUNICIPALITY', null, null],
];
const municipalities = ['Kaçanik', 'KACANIK', 'Kumanovo', 'a farm', null];
const partners = ['MK', 'AL'];

/** Picks the row of a table by a generated number, whatever rows exist by then (none: the change does nothing). */
const nth = (table: string, key = 'id') => `(select ${key} from node.${table} order by ${key} offset $1::int % greatest((select count(*) from node.${table}), 1) limit 1)`;

type Change = { sql: string; params: unknown[] };

const firearmValues = fc.record({
  type: fc.constantFrom('PISTOL', 'RIFLE', 'ASSAULT_RIFLE'),
  category: fc.constantFrom('A', 'B', 'C', null),
  converted: fc.boolean(),
  printed: fc.boolean(),
  reactivated: fc.boolean(),
  obliterated: fc.boolean(),
});

const change: fc.Arbitrary<Change> = fc.oneof(
  fc
    .record({ at: fc.nat(3), place: fc.nat(5), kind: fc.constantFrom('SEIZURE', 'EXPLOSIVES'), threat: fc.integer({ min: 1, max: 5 }), h2: fc.boolean(), municipality: fc.nat(4) })
    .map(({ at, place, kind, threat, h2, municipality }) => ({
      sql: `insert into node.alert (id, reference, kind, title, occurred_at, location_kind, border_crossing, latitude, longitude, risk_threat,
                                    risk_vulnerability, risk_impact, risk_level, unit_code, created_by, updated_at, handling_code, municipality)
            values (gen_random_uuid(), 'R-' || md5(random()::text), $1, 'Rollup test', $2, $3, $4, case when $5::numeric is not null then 42.2 end, $5, $6, 2, 3,
                    'MEDIUM', 'XK-BP-HANI', 'rollup.test', now(), $7, $8)`,
      params: [kind, occurredAt[at], ...places[place]!, threat, h2 ? 'H2' : 'H0', municipalities[municipality]],
    })),
  fc.record({ pick: fc.nat(), at: fc.nat(3) }).map(({ pick, at }) => ({ sql: `update node.alert set occurred_at = $2 where id = ${nth('alert')}`, params: [pick, occurredAt[at]] })),
  fc.record({ pick: fc.nat(), place: fc.nat(5) }).map(({ pick, place }) => ({
    sql: `update node.alert set location_kind = $2, border_crossing = $3, longitude = $4 where id = ${nth('alert')}`,
    params: [pick, ...places[place]!],
  })),
  fc.record({ pick: fc.nat(), threat: fc.integer({ min: 1, max: 5 }), level: fc.constantFrom('LOW', 'HIGH'), kind: fc.constantFrom('SEIZURE', 'STOLEN_FIREARM') }).map(({ pick, threat, level, kind }) => ({
    sql: `update node.alert set risk_threat = $2, risk_level = $3, kind = $4 where id = ${nth('alert')}`,
    params: [pick, threat, level, kind],
  })),
  fc.record({ pick: fc.nat(), h2: fc.boolean(), municipality: fc.nat(4) }).map(({ pick, h2, municipality }) => ({
    sql: `update node.alert set handling_code = $2, municipality = $3 where id = ${nth('alert')}`,
    params: [pick, h2 ? 'H2' : 'H0', municipalities[municipality]],
  })),
  // A new id: the foreign keys cascade it to the alert's items and rules.
  fc.nat().map((pick) => ({ sql: `update node.alert set id = gen_random_uuid() where id = ${nth('alert')}`, params: [pick] })),
  fc.nat().map((pick) => ({ sql: `delete from node.alert where id = ${nth('alert')}`, params: [pick] })),
  fc.record({ pick: fc.nat(), firearm: firearmValues }).map(({ pick, firearm }) => ({
    sql: `insert into node.firearm (id, alert_id, position, make, model, type, calibre, eu_category, converted_gas_alarm, printed_3d, reactivated, serial_obliterated)
          select gen_random_uuid(), ${nth('alert')}, 0, 'Zastava', 'M70', $2, '7.62', $3, $4, $5, $6, $7 where exists (select from node.alert)`,
    params: [pick, firearm.type, firearm.category, firearm.converted, firearm.printed, firearm.reactivated, firearm.obliterated],
  })),
  fc.record({ pick: fc.nat(), firearm: firearmValues }).map(({ pick, firearm }) => ({
    sql: `update node.firearm set type = $2, eu_category = $3, converted_gas_alarm = $4, printed_3d = $5, reactivated = $6, serial_obliterated = $7 where id = ${nth('firearm')}`,
    params: [pick, firearm.type, firearm.category, firearm.converted, firearm.printed, firearm.reactivated, firearm.obliterated],
  })),
  ...(['firearm', 'ammunition', 'explosive'] as const).flatMap((table) => [
    fc.record({ pick: fc.nat(), to: fc.nat() }).map(({ pick, to }) => ({
      sql: `update node.${table} set alert_id = (select id from node.alert order by id offset $2::int % greatest((select count(*) from node.alert), 1) limit 1) where id = ${nth(table)}`,
      params: [pick, to],
    })),
    fc.nat().map((pick) => ({ sql: `delete from node.${table} where id = ${nth(table)}`, params: [pick] })),
  ]),
  fc.record({ pick: fc.nat(), quantity: fc.integer({ min: 1, max: 500 }) }).map(({ pick, quantity }) => ({
    sql: `insert into node.ammunition (id, alert_id, position, calibre, quantity) select gen_random_uuid(), ${nth('alert')}, 0, '9 mm', $2 where exists (select from node.alert)`,
    params: [pick, quantity],
  })),
  fc.record({ pick: fc.nat(), quantity: fc.integer({ min: 1, max: 500 }) }).map(({ pick, quantity }) => ({ sql: `update node.ammunition set quantity = $2 where id = ${nth('ammunition')}`, params: [pick, quantity] })),
  fc.record({ pick: fc.nat(), quantity: fc.integer({ min: 1, max: 5000 }), unit: fc.constantFrom('KILOGRAM', 'GRAM', 'PIECE') }).map(({ pick, quantity, unit }) => ({
    sql: `insert into node.explosive (id, alert_id, position, type, quantity, unit) select gen_random_uuid(), ${nth('alert')}, 0, 'PLASTIC_EXPLOSIVE', $2, $3 where exists (select from node.alert)`,
    params: [pick, quantity, unit],
  })),
  fc.record({ pick: fc.nat(), quantity: fc.integer({ min: 1, max: 5000 }), unit: fc.constantFrom('KILOGRAM', 'GRAM', 'PIECE') }).map(({ pick, quantity, unit }) => ({
    sql: `update node.explosive set quantity = $2, unit = $3 where id = ${nth('explosive')}`,
    params: [pick, quantity, unit],
  })),
  fc.record({ pick: fc.nat(), partner: fc.constantFrom(...partners), tier: fc.constantFrom('NONE', 'HIT', 'SUMMARY') }).map(({ pick, partner, tier }) => ({
    sql: `insert into node.sharing_rule (alert_id, partner_agency, tier, purposes, expires_at, set_by)
          select ${nth('alert')}, $2, $3, array['RISK_ANALYSIS'], now() + interval '1 year', 'rollup.test' where exists (select from node.alert)
          on conflict (alert_id, partner_agency) do update set tier = excluded.tier`,
    params: [pick, partner, tier],
  })),
  fc.record({ pick: fc.nat(), to: fc.nat() }).map(({ pick, to }) => ({
    sql: `update node.sharing_rule r set alert_id = t.id
            from (select id from node.alert order by id offset $2::int % greatest((select count(*) from node.alert), 1) limit 1) t
           where r.alert_id = ${nth('sharing_rule', 'alert_id')} and not exists (select from node.sharing_rule o where o.alert_id = t.id and o.partner_agency = r.partner_agency)`,
    params: [pick, to],
  })),
  fc.nat().map((pick) => ({ sql: `delete from node.sharing_rule where alert_id = ${nth('sharing_rule', 'alert_id')}`, params: [pick] })),
  // Albania joins the directory, or leaves it.
  fc.boolean().map((join) => ({
    sql: join
      ? `insert into node.agency (code, name, country) values ('AL', 'Albanian State Police', 'Albania') on conflict do nothing`
      : `delete from node.agency where code = 'AL'`,
    params: [],
  })),
);

let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase('rollup');
  client = new pg.Client({ connectionString: database.applicationUrl });
  await client.connect();
  await client.query(`insert into node.agency (code, name, country) values ('XK', 'Kosovo Police', 'Kosovo'), ('MK', 'MoI North Macedonia', 'North Macedonia')`);
  await client.query(`insert into node.unit (code, agency_code, name, kind) values ('XK-BP-HANI', 'XK', 'Border police Hani i Elezit', 'BORDER_POLICE_BCP')`);
});

afterAll(async () => {
  await client?.end();
  await database?.[Symbol.asyncDispose]();
});

/** Every non-empty cell of the rollup, in a stable order (a cell whose alerts all left keeps a row of zeros: the same as none). */
const cellsSql = `select grid, period::text, place, kind, risk_level, firearm_type, eu_category, converted, printed_3d, reactivated, obliterated,
                         municipality, withheld_from, alerts, firearms, rounds::text, explosives_kg::text, threat, vulnerability, impact
                    from node.stat_cell
                   where (alerts, firearms, rounds, explosives_kg, threat, vulnerability, impact) <> (0, 0, 0, 0, 0, 0, 0)
                   order by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13`;
const alertsSql = `select *, rounds::text as rounds, explosives_kg::text as explosives_kg from node.stat_alert order by alert_id`;

/** The rollups as kept, and as rebuilt from the records (in a transaction rolled back). */
async function keptAndRebuilt() {
  const kept = { cells: (await client.query(cellsSql)).rows, alerts: (await client.query(alertsSql)).rows };
  await client.query('begin');
  try {
    await client.query('delete from node.stat_alert');
    await client.query('delete from node.stat_cell');
    await client.query('select node.stat_refresh(coalesce(array_agg(id), array[]::uuid[])) from node.alert');
    return { kept, rebuilt: { cells: (await client.query(cellsSql)).rows, alerts: (await client.query(alertsSql)).rows } };
  } finally {
    await client.query('rollback');
  }
}

const versions = async () => new Map((await client.query<{ key: string; version: string }>(`select grid || ' ' || period as key, version from node.stat_version`)).rows.map((row) => [row.key, row.version]));
const periodKey = (cell: Record<string, unknown>) => `${cell.grid} ${cell.period}`;

describe('the rollups of the joint picture', () => {
  it('equal a rebuild from the records after any changes, and every changed period has a new version (generated, fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(change, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 10 }), async (transactions) => {
        // Each run from nothing, so that a counterexample holds on its own.
        await client.query(`delete from node.alert; delete from node.agency where code = 'AL'`);
        await client.query('delete from node.stat_alert; delete from node.stat_cell; delete from node.stat_version');
        for (const changes of transactions) {
          const before = { cells: (await client.query(cellsSql)).rows, versions: await versions() };
          await client.query('begin');
          try {
            for (const { sql, params } of changes) await client.query(sql, params);
            await client.query('commit');
          } catch (error) {
            await client.query('rollback');
            throw error;
          }
          const { kept, rebuilt } = await keptAndRebuilt();
          expect(kept).toEqual(rebuilt);
          const after = await versions();
          const text = (cells: Record<string, unknown>[], key: string) => JSON.stringify(cells.filter((cell) => periodKey(cell) === key));
          for (const key of new Set([...before.cells, ...kept.cells].map(periodKey))) {
            if (text(before.cells, key) !== text(kept.cells, key)) expect(after.get(key), `version of ${key}`).not.toBe(before.versions.get(key));
          }
        }
      }),
      { seed: 2223, numRuns: 40 },
    );
  }, 300_000);
});
