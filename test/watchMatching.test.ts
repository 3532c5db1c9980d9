import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { syntheticWatchedIdentifier, syntheticWatchEntries } from '../src/demo/syntheticWatchList.ts';
import { normalizeSerial } from '../src/domain/normalize.ts';
import { Prisma } from '../src/generated/node/client.ts';
import { matchOfScore, roundScore, similarScoreCap, wildcardScore } from '../src/node/records/searchRecords.ts';
import { entriesMeetingRecord, recordsMeetingEntry, watchSimilarityThreshold } from '../src/realtime/watchCandidates.ts';
import { alertRow } from './fixtures.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';

// The matcher looks each identifier up on an index (migration 0014). Before,
// one statement joined every identifier against every active entry with one
// OR of per-kind conditions; that statement, kept here verbatim as the
// reference, defines what matching means. Generated records and entries,
// crowded onto a few serials, plates, names and documents so that they meet
// often, must meet exactly the same pairs, on the same identifier, with the
// same score, in both directions.
//
// The one deliberate change: the score of a similar serial is capped below
// a match of every readable character (node.serial_score, as the search
// always scored it), so the reference caps it too.

let database: TestDatabase;
let prisma: PrismaClient;
const now = new Date('2026-12-01T12:00:00Z');
const seed = 20_261_214;

/** The former one-statement matcher (src/realtime/watchMatching.ts before migration 0014), its similarity capped. */
function formerCandidates(scope: { alertId: string } | { watchEntryId: string }) {
  const alertFilter = (column: string) => ('alertId' in scope ? Prisma.sql`and ${Prisma.raw(column)} = ${scope.alertId}::uuid` : Prisma.empty);
  const watchFilter = 'watchEntryId' in scope ? Prisma.sql`and w.id = ${scope.watchEntryId}::uuid` : Prisma.empty;
  return Prisma.sql`
    with identifiers as (
      select f.alert_id, 'SERIAL_NUMBER' as matched_on, f.serial_normalized as key, f.serial_obliterated as worn,
             null::varchar as country, null::varchar as family, null::varchar as given, null::date as born, 0 as preference
        from node.firearm f where f.serial_normalized is not null ${alertFilter('f.alert_id')}
      union all
      select c.alert_id, 'COMPONENT_SERIAL_NUMBER', c.serial_normalized, false, null, null, null, null, 1
        from node.firearm_component c where c.serial_normalized is not null ${alertFilter('c.alert_id')}
      union all
      select av.alert_id, 'PLATE', v.plate_normalized, false, v.plate_country, null, null, null, 0
        from node.alert_vehicle av join node.vehicle v on v.id = av.vehicle_id
       where v.plate_normalized is not null ${alertFilter('av.alert_id')}
      union all
      select av.alert_id, 'VIN', v.vin, false, null, null, null, null, 0
        from node.alert_vehicle av join node.vehicle v on v.id = av.vehicle_id
       where v.vin is not null ${alertFilter('av.alert_id')}
      union all
      select s.alert_id, 'DOCUMENT_NUMBER', d.number_normalized, false, null, null, null, null, 0
        from node.alert_subject s join node.identity_document d on d.subject_id = s.subject_id
       where true ${alertFilter('s.alert_id')}
      union all
      select s.alert_id, 'PERSON', null, false, null, p.family_name_key, p.given_name_key, p.date_of_birth, 0
        from node.alert_subject s join node.subject p on p.id = s.subject_id
       where p.date_of_birth is not null ${alertFilter('s.alert_id')}
    ), matched as (
      select w.id as watch_entry_id, i.alert_id, i.matched_on, i.preference,
             case when i.matched_on not in ('SERIAL_NUMBER', 'COMPONENT_SERIAL_NUMBER') or i.key = w.identifier_key then 1.0::float8
                  when i.key like w.identifier_key then ${wildcardScore}::float8
                  else least(similarity(i.key, replace(w.identifier_key, '_', ' '))::float8, ${similarScoreCap}::float8) end as score
        from identifiers i
        join node.watch_entry w on
             (w.kind = 'FIREARM_SERIAL' and i.matched_on in ('SERIAL_NUMBER', 'COMPONENT_SERIAL_NUMBER')
               and (i.key = w.identifier_key or i.key like w.identifier_key
                    or (i.worn and similarity(i.key, replace(w.identifier_key, '_', ' ')) >= ${watchSimilarityThreshold})))
          or (w.kind = 'VEHICLE_PLATE' and i.matched_on = 'PLATE' and i.key = w.identifier_key
               and (w.plate_country is null or i.country is null or i.country = w.plate_country))
          or (w.kind = 'VIN' and i.matched_on = 'VIN' and i.key = w.identifier_key)
          or (w.kind = 'DOCUMENT' and i.matched_on = 'DOCUMENT_NUMBER' and i.key = w.identifier_key)
          or (w.kind = 'PERSON' and i.matched_on = 'PERSON' and i.family = w.family_name_key
               and i.given = w.given_name_key and i.born = w.date_of_birth)
       where w.removed_at is null and w.expires_at > ${now} ${watchFilter}
    )
    select distinct on (watch_entry_id, alert_id)
           watch_entry_id::text as "watchEntryId", alert_id::text as "alertId", matched_on as "matchedOn", score
      from matched
     order by watch_entry_id, alert_id, score desc, preference`;
}

interface Pair {
  watchEntryId: string;
  alertId: string;
  matchedOn: string;
  score: number;
}
const pairs = (rows: Pair[]) =>
  rows
    .map(({ watchEntryId, alertId, matchedOn, score }) => ({ watchEntryId, alertId, matchedOn, score: roundScore(score) }))
    .sort((a, b) => a.watchEntryId.localeCompare(b.watchEntryId) || a.alertId.localeCompare(b.alertId));

// ─── Worlds crowded onto a few identifiers ──────────────────────────────────

/** Characters of normalised serials (look-alikes folded into digits), few, so that serials meet. */
const char = fc.constantFrom(...'0123ACKM');
const baseSerial = fc.array(char, { minLength: 6, maxLength: 10 }).map((c) => c.join(''));
/** One substitution, deletion or insertion. */
const edit = (value: string) =>
  fc.tuple(fc.nat({ max: value.length - 1 }), char, fc.constantFrom('substitute', 'delete', 'insert')).map(([at, c, kind]) =>
    kind === 'substitute' ? value.slice(0, at) + c + value.slice(at + 1) : kind === 'delete' ? value.slice(0, at) + value.slice(at + 1) : value.slice(0, at) + c + value.slice(at),
  );
/** Some characters unreadable (`_`), never more than the readable ones, at least four readable. */
const worn = (value: string) =>
  fc.uniqueArray(fc.nat({ max: value.length - 1 }), { minLength: 1, maxLength: Math.max(1, Math.min(value.length - 4, Math.floor(value.length / 2))) }).map((at) =>
    [...value].map((c, index) => (at.includes(index) ? '_' : c)).join(''),
  );
const plates = ['KS417QW', 'KS417QV', 'SK1234AB'];
const vins = ['WAUZZZ8K9BA123456', 'WAUZZZ8K9BA123457'];
const documents = ['P01234567', 'P01234568'];
const families = ['ǄAFERI', 'KRASNIKI'];
const givens = ['ARBEN', 'BESNIK'];
const births = ['1990-03-04', '1987-04-12'];

const world = fc.uniqueArray(baseSerial, { minLength: 2, maxLength: 5 }).chain((serials) => {
  const recordSerial = fc.constantFrom(...serials).chain((value) => fc.oneof(fc.constant(value), edit(value)));
  const record = fc.record({
    firearms: fc.array(fc.record({ serial: fc.option(recordSerial, { freq: 4 }), worn: fc.boolean() }), { maxLength: 2 }),
    components: fc.array(recordSerial, { maxLength: 2 }),
    vehicles: fc.array(
      fc.record({ plate: fc.option(fc.constantFrom(...plates)), country: fc.option(fc.constantFrom('XK', 'MK')), vin: fc.option(fc.constantFrom(...vins)) }),
      { maxLength: 2 },
    ),
    subjects: fc.array(
      fc.record({
        family: fc.constantFrom(...families),
        given: fc.constantFrom(...givens),
        born: fc.option(fc.constantFrom(...births)),
        documents: fc.uniqueArray(fc.constantFrom(...documents), { maxLength: 2 }),
      }),
      { maxLength: 2 },
    ),
  });
  const watched = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...serials).chain((value) => fc.oneof(fc.constant(value), edit(value), worn(value))).map((key) => ({ kind: 'FIREARM_SERIAL' as const, key })) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('VEHICLE_PLATE' as const), key: fc.constantFrom(...plates), country: fc.constantFrom('XK', 'MK') }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('VIN' as const), key: fc.constantFrom(...vins) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('DOCUMENT' as const), key: fc.constantFrom(...documents) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('PERSON' as const), family: fc.constantFrom(...families), given: fc.constantFrom(...givens), born: fc.constantFrom(...births) }) },
  );
  const entry = fc.record({ watched, state: fc.constantFrom('active', 'active', 'active', 'expired', 'removed') });
  return fc.record({ records: fc.array(record, { minLength: 3, maxLength: 20 }), entries: fc.array(entry, { minLength: 3, maxLength: 25 }) });
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

/** Stores a world in the empty node database; returns the ids of its records and entries. */
async function store({ records, entries }: World) {
  const alertIds = records.map(() => crypto.randomUUID());
  await prisma.alert.createMany({
    data: alertIds.map((id, index) => alertRow({ id, reference: `XK-WM-${index}`, createdAt: new Date(now.getTime() - index * 60_000) })),
  });
  const item = { make: 'Zastava', model: 'M70', type: 'PISTOL' as const, calibre: '7.65 mm' };
  await prisma.firearm.createMany({
    data: records.flatMap((record, index) =>
      record.firearms.map((firearm, position) => ({ ...item, alertId: alertIds[index]!, position, serialNumber: firearm.serial, serialNormalized: firearm.serial, serialObliterated: firearm.worn })),
    ),
  });
  await prisma.firearmComponent.createMany({
    data: records.flatMap((record, index) =>
      record.components.map((serial, position) => ({ alertId: alertIds[index]!, position, kind: 'SLIDE' as const, quantity: 1, serialNumber: serial, serialNormalized: serial })),
    ),
  });
  for (const [index, record] of records.entries()) {
    for (const vehicle of record.vehicles) {
      await prisma.alertVehicle.create({
        data: {
          alert: { connect: { id: alertIds[index]! } },
          role: 'TRANSPORT',
          vehicle: { create: { plate: vehicle.plate, plateNormalized: vehicle.plate, plateCountry: vehicle.country, vin: vehicle.vin } },
        },
      });
    }
    for (const subject of record.subjects) {
      await prisma.alertSubject.create({
        data: {
          alert: { connect: { id: alertIds[index]! } },
          role: 'SUSPECT',
          subject: {
            create: {
              familyName: subject.family,
              givenName: subject.given,
              familyNameKey: subject.family,
              givenNameKey: subject.given,
              dateOfBirth: subject.born ? new Date(`${subject.born}T00:00:00Z`) : null,
              documents: { create: subject.documents.map((number) => ({ kind: 'PASSPORT' as const, number, numberNormalized: number, issuingCountry: 'XK' })) },
            },
          },
        },
      });
    }
  }
  const entryIds = entries.map(() => crypto.randomUUID());
  await prisma.watchEntry.createMany({
    data: entries.map(({ watched, state }, index) => ({
      id: entryIds[index]!,
      kind: watched.kind,
      ownerAgency: 'MK',
      ownerUnit: `MK-UNIT-${index % 3}`,
      registeredBy: 'mk.officer',
      registeredRoles: ['officer'],
      purpose: 'CRIMINAL_INVESTIGATION',
      label: `Entry ${index}`,
      identifierKey: 'key' in watched ? watched.key : null,
      plateCountry: watched.kind === 'VEHICLE_PLATE' ? watched.country : null,
      familyNameKey: watched.kind === 'PERSON' ? watched.family : null,
      givenNameKey: watched.kind === 'PERSON' ? watched.given : null,
      dateOfBirth: watched.kind === 'PERSON' ? new Date(`${watched.born}T00:00:00Z`) : null,
      createdAt: new Date(now.getTime() - 3_600_000),
      expiresAt: new Date(now.getTime() + (state === 'expired' ? -60_000 : 86_400_000)),
      removedAt: state === 'removed' ? new Date(now.getTime() - 60_000) : null,
    })),
  });
  return { alertIds, entryIds };
}

async function clear() {
  await prisma.$executeRawUnsafe('truncate node.watch_entry, node.alert, node.vehicle, node.subject cascade');
}

beforeAll(async () => {
  database = await createTestDatabase('watch_matching');
  prisma = createPrismaClient({ databaseUrl: database.url });
  await prisma.agency.create({ data: { code: 'XK', name: 'Kosovo Police', country: 'Kosovo' } });
  await prisma.unit.create({ data: { code: 'XK-BP-HANI', agencyCode: 'XK', name: 'Border police, Hani i Elezit', kind: 'BORDER_POLICE_BCP' } });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.[Symbol.asyncDispose]();
});

describe('watch matching by index lookups', () => {
  it('meets exactly the pairs the former one-statement matcher met, on the same identifier with the same score, in both directions', async () => {
    const met = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(world, async (generated) => {
        await clear();
        const { alertIds, entryIds } = await store(generated);
        for (const alertId of alertIds) {
          const [actual, expected] = await Promise.all([prisma.$queryRaw<Pair[]>(entriesMeetingRecord(alertId, now)), prisma.$queryRaw<Pair[]>(formerCandidates({ alertId }))]);
          expect(pairs(actual), `record ${alertId}`).toEqual(pairs(expected));
          for (const pair of expected) {
            const how = `${pair.matchedOn} ${pair.score >= 1 ? 'EXACT' : pair.score >= wildcardScore ? 'PARTIAL' : 'SIMILAR'}`;
            met.set(how, (met.get(how) ?? 0) + 1);
          }
        }
        for (const entry of await prisma.watchEntry.findMany({ where: { id: { in: entryIds } } })) {
          const expected = await prisma.$queryRaw<Pair[]>(formerCandidates({ watchEntryId: entry.id }));
          // The new direction reads the entry's values; whether the entry is active is decided before (matchNewEntry).
          const active = entry.removedAt === null && entry.expiresAt > now;
          const actual = active ? await prisma.$queryRaw<Pair[]>(recordsMeetingEntry(entry)) : [];
          expect(pairs(actual), `entry ${entry.kind} ${entry.identifierKey}`).toEqual(pairs(expected));
        }
      }),
      { seed, numRuns: 40 },
    );
    // The worlds are crowded enough that they meet through every kind of lookup, often.
    const kinds = ['SERIAL_NUMBER EXACT', 'SERIAL_NUMBER PARTIAL', 'SERIAL_NUMBER SIMILAR', 'COMPONENT_SERIAL_NUMBER EXACT', 'COMPONENT_SERIAL_NUMBER PARTIAL', 'PLATE EXACT', 'VIN EXACT', 'DOCUMENT_NUMBER EXACT', 'PERSON EXACT'];
    for (const kind of kinds) expect(met.get(kind) ?? 0, kind).toBeGreaterThan(10);
  }, 600_000);
});

describe('the score of a watch hit on a serial', () => {
  it('is the serial score of the search: a worn serial with all the watched trigrams is similar, not the serial itself', async () => {
    await clear();
    const { alertIds } = await store({
      records: [{ firearms: [{ serial: 'AAAAA', worn: true }], components: [], vehicles: [], subjects: [] }],
      entries: [{ watched: { kind: 'FIREARM_SERIAL', key: 'AAAA' }, state: 'active' }],
    });
    const [hit] = await prisma.$queryRaw<Pair[]>(entriesMeetingRecord(alertIds[0]!, now));
    expect(hit).toMatchObject({ matchedOn: 'SERIAL_NUMBER', score: similarScoreCap });
    expect(matchOfScore(hit!.score)).toBe('SIMILAR');
  });
});

// ─── Plans at the scale of a national watch list ────────────────────────────

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}
interface Scan {
  node: string;
  relation: string;
  index?: string;
  /** Rows the scan read, in all its loops: those it returned and those its conditions then removed. */
  read: number;
}

/**
 * Runs a statement on a connection of its own with auto_explain logging the
 * plan of every statement it runs, nested ones too (the statements inside the
 * node's plpgsql functions), as executed; returns every scan of those plans.
 */
async function scansOf(statement: Prisma.Sql): Promise<Scan[]> {
  const client = new pg.Client({ connectionString: database.url });
  const plans: PlanNode[] = [];
  client.on('notice', (notice) => {
    const at = notice.message?.indexOf('plan:\n') ?? -1;
    if (at >= 0) plans.push((JSON.parse(notice.message!.slice(at + 6)) as { Plan: PlanNode }).Plan);
  });
  await client.connect();
  try {
    await client.query(`load 'auto_explain'`);
    await client.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; set auto_explain.log_timing = off;
                        set auto_explain.log_nested_statements = on; set auto_explain.log_format = json; set client_min_messages = log`);
    await client.query(statement.text, statement.values);
  } finally {
    await client.end();
  }
  const scans: Scan[] = [];
  // A bitmap index scan names its index only: its table is the bitmap heap scan's above it.
  const walk = (plan: PlanNode, heap?: string) => {
    const relation = plan['Relation Name'] ?? (plan['Node Type'].startsWith('Bitmap') ? heap : undefined);
    if (relation) {
      const returned = (plan['Actual Rows'] ?? 0) * (plan['Actual Loops'] ?? 1);
      const removed = (plan['Rows Removed by Filter'] ?? 0) + (plan['Rows Removed by Index Recheck'] ?? 0);
      scans.push({ node: plan['Node Type'], relation, index: plan['Index Name'], read: Math.round(returned + removed) });
    }
    plan.Plans?.forEach((child) => walk(child, relation));
  };
  plans.forEach((plan) => walk(plan));
  return scans;
}

describe('watch matching at the scale of a national watch list (10,000 entries, 20,000 records)', () => {
  const entries = 10_000;
  type Row = ReturnType<typeof syntheticWatchEntries>[number];
  let rows: Row[];
  let changed: string;
  let watchers: string[];

  beforeAll(async () => {
    await clear();
    rows = syntheticWatchEntries({ count: entries, units: 1_000, agency: 'MK', now });
    await prisma.watchEntry.createMany({ data: rows });
    // Records with every kind of identifier, one in ten serials marked obliterated.
    await prisma.$executeRawUnsafe(`
      insert into node.alert (id, reference, kind, title, occurred_at, location_kind, risk_threat, risk_vulnerability, risk_impact, risk_level,
                              unit_code, created_by, created_at, updated_at)
      select ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'XK-PLAN-' || i, 'SEIZURE', 'Record ' || i, now(), 'BORDER_CROSSING_POINT', 3, 3, 3, 'MEDIUM',
             'XK-BP-HANI', 'watchMatching.test', now() - i * interval '1 minute', now()
        from generate_series(1, 20000) i;
      insert into node.firearm (id, alert_id, position, make, model, type, calibre, serial_number, serial_normalized, serial_obliterated)
      select gen_random_uuid(), a.id, 0, 'Zastava', 'M70', 'PISTOL', '7.65 mm', s, s, i % 10 = 0
        from generate_series(1, 20000) i
        join node.alert a on a.reference = 'XK-PLAN-' || i
       cross join lateral (select upper(substr(md5(i::text), 1, 10)) as s) serial;
      insert into node.firearm_component (id, alert_id, position, kind, quantity, serial_number, serial_normalized)
      select gen_random_uuid(), a.id, 0, 'SLIDE', 1, upper(substr(md5('c' || i), 1, 10)), upper(substr(md5('c' || i), 1, 10))
        from node.alert a cross join lateral (select substr(a.reference, 9)::int as i) n;
      with v as (
        insert into node.vehicle (id, plate, plate_normalized, plate_country, vin)
        select gen_random_uuid(), 'P' || i, 'P' || i, 'XK', 'WV' || lpad(i::text, 15, '0') from generate_series(1, 20000) i
        returning id, plate)
      insert into node.alert_vehicle (alert_id, vehicle_id, role)
      select a.id, v.id, 'TRANSPORT' from v join node.alert a on a.reference = 'XK-PLAN-' || substr(v.plate, 2);
      with p as (
        insert into node.subject (id, family_name, given_name, family_name_key, given_name_key, date_of_birth)
        select gen_random_uuid(), 'F' || i, 'ARBEN', 'F' || i, 'ARBEN', date '1960-01-01' + i from generate_series(1, 20000) i
        returning id, family_name)
      insert into node.alert_subject (alert_id, subject_id, role)
      select a.id, p.id, 'SUSPECT' from p join node.alert a on a.reference = 'XK-PLAN-' || substr(p.family_name, 2);
      insert into node.identity_document (id, subject_id, kind, number, number_normalized, issuing_country)
      select gen_random_uuid(), p.id, 'PASSPORT', 'D' || p.family_name, 'D' || p.family_name, 'XK' from node.subject p;
`);
    // Statistics as autovacuum keeps them on a list that grew entry by entry (its GIN pending lists merged too).
    await prisma.$executeRawUnsafe(`vacuum analyze node.watch_entry, node.alert, node.firearm, node.firearm_component, node.vehicle,
                                     node.alert_vehicle, node.subject, node.alert_subject, node.identity_document`);
    // The changed record: the tenth, whose serial is marked obliterated, so that every lookup runs, given
    // identifiers that six entries watch: a plate, a serial, a serial with unreadable characters, a person, a document, a VIN.
    changed = '00000000-0000-4000-8000-000000000010';
    const [plate, serial, worn, person, document, vin] = [0, 8, 12, 13, 16, 18].map((index) => rows[index]!) as [Row, Row, Row, Row, Row, Row];
    const wornSerial = normalizeSerial((syntheticWatchedIdentifier(12) as { firearms: { serialNumber: string }[] }).firearms[0]!.serialNumber);
    await prisma.$executeRaw`update node.vehicle set plate_normalized = ${plate.identifierKey}, plate_country = ${plate.plateCountry}, vin = ${vin.identifierKey} where plate = 'P10'`;
    await prisma.$executeRaw`update node.firearm set serial_normalized = ${serial.identifierKey} where alert_id = ${changed}::uuid`;
    await prisma.$executeRaw`update node.firearm_component set serial_normalized = ${wornSerial} where alert_id = ${changed}::uuid`;
    await prisma.$executeRaw`update node.subject set family_name_key = ${person.familyNameKey}, given_name_key = ${person.givenNameKey},
                                    date_of_birth = ${(person.dateOfBirth as Date).toISOString().slice(0, 10)}::date where family_name = 'F10'`;
    await prisma.$executeRaw`update node.identity_document set number_normalized = ${document.identifierKey} where number = 'DF10'`;
    watchers = [plate, serial, worn, person, document, vin].map((row) => row.id!).sort();
  }, 300_000);

  it('looks every identifier of a changed record up on an index of watch_entry, never scanning it', async () => {
    const scans = await scansOf(entriesMeetingRecord(changed, now));
    const onEntries = scans.filter((scan) => scan.relation === 'watch_entry');
    expect(onEntries.filter((scan) => scan.node === 'Seq Scan')).toEqual([]);
    // Every lookup reads only what it finds, give or take a few trigram neighbours, in its index and its table: not the list.
    expect(onEntries.reduce((sum, scan) => sum + scan.read, 0)).toBeLessThan(50);
    const met = await prisma.$queryRaw<Pair[]>(entriesMeetingRecord(changed, now));
    expect(met.map((pair) => pair.watchEntryId).sort()).toEqual(watchers);
    expect(new Set(onEntries.flatMap((scan) => (scan.index ? [scan.index] : [])))).toEqual(
      new Set([
        'watch_entry_kind_identifier_key_idx',
        'watch_entry_serial_anchor_idx',
        'watch_entry_identifier_trigram_idx',
        'watch_entry_family_name_key_given_name_key_date_of_birth_idx',
        'watch_entry_pkey',
      ]),
    );
  });

  it("looks a new entry of each kind up on the records' indexes, never scanning a table of records", async () => {
    const records = ['alert', 'firearm', 'firearm_component', 'vehicle', 'alert_vehicle', 'subject', 'alert_subject', 'identity_document'];
    // One entry of each kind and shape: plate, serial, serial with unreadable characters, person, document, VIN.
    for (const index of [0, 8, 12, 13, 16, 18]) {
      const entry = await prisma.watchEntry.findUniqueOrThrow({ where: { id: rows[index]!.id! } });
      const scans = await scansOf(recordsMeetingEntry(entry));
      expect(scans.filter((scan) => scan.node === 'Seq Scan' && records.includes(scan.relation!)), `${entry.kind} ${entry.identifierKey}`).toEqual([]);
      expect(scans.length, `${entry.kind} ${entry.identifierKey}`).toBeGreaterThan(0);
      expect(scans.reduce((sum, scan) => sum + scan.read, 0), `${entry.kind} ${entry.identifierKey}`).toBeLessThan(50);
    }
  });
});
