import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement as committed, parseAgreement } from '../src/consent/agreement.ts';
import { municipalities } from '../src/domain/municipalities.ts';
import { statisticsDimensions } from '../src/statistics/dimensions.ts';
import { adminQuery, codes, startTestHub, type TestHub } from './helpers.ts';
import { alike, insertStatAlerts } from './statisticsNode.ts';

// The MUNICIPALITY dimension: an alert's municipality, typed by an officer in
// any spelling, counts under the municipality's name from the hub's closed
// list (node migration 0018), as OTHER when the list does not know it, as NONE
// when none was given; never as the text typed.

const analysis = { purpose: 'RISK_ANALYSIS', caseReference: null };
const picture = /* GraphQL */ `
  query Picture($input: StatisticsInput!) {
    jointPicture(input: $input, agencies: ["MK"]) { cells { agency period values suppressed alerts } }
  }
`;
type Cell = { agency: string; period: string; values: string[]; suppressed: boolean; alerts: number | null };

let hub: TestHub;
const terms = parseAgreement(structuredClone(committed));
const defaults = structuredClone(terms.statistics);

beforeAll(async () => {
  hub = await startTestHub({ node: { agreement: terms } });
  const mk = hub.nodes.get('MK')!.database.name;
  // April 2026 at MK: Kumanovo 7 (in five spellings), Tetovo 6, Lipkovo 2, a place the list does not know 1, none 5.
  await insertStatAlerts(mk, 'MK-BP-BLACE', [
    ...alike(3, { occurredAt: '2026-04-02T10:00:00Z', place: 'SECTOR_KARADAK', municipality: 'Kumanovo' }),
    { occurredAt: '2026-04-03T10:00:00Z', place: 'SECTOR_KARADAK', municipality: 'KUMANOVO' },
    { occurredAt: '2026-04-03T11:00:00Z', place: 'SECTOR_KARADAK', municipality: '  Kumanovë ' },
    { occurredAt: '2026-04-03T12:00:00Z', place: 'SECTOR_KARADAK', municipality: 'Куманово' },
    { occurredAt: '2026-04-03T13:00:00Z', place: 'SECTOR_KARADAK', municipality: 'kumanovo.' },
    ...alike(6, { occurredAt: '2026-04-04T10:00:00Z', place: 'SECTOR_KARADAK', municipality: 'Tetovë' }),
    ...alike(2, { occurredAt: '2026-04-05T10:00:00Z', place: 'SECTOR_KARADAK', municipality: 'Lipkovo' }),
    { occurredAt: '2026-04-06T10:00:00Z', place: 'SECTOR_KARADAK', municipality: 'the farm of a named person near Vaksince' },
    ...alike(5, { occurredAt: '2026-04-07T10:00:00Z', place: 'HANI_I_ELEZIT_BLACE', municipality: null }),
  ]);
}, 120_000);

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const ask = async (user: 'xk-analyst' | 'mk-analyst', dimensions: string[]) => {
  const result = await hub.query<{ jointPicture: { cells: Cell[] } }>(user, picture, { input: { dimensions, from: '2026-04', to: '2026-04' } }, analysis);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.jointPicture.cells;
};
const find = (cells: Cell[], ...values: string[]) => cells.find((cell) => cell.values.join() === values.join());

describe('statistics by municipality', () => {
  it('knows in the database every municipality and spelling of the reference list, and nothing else', async () => {
    const database = hub.nodes.get('MK')!.database.name;
    const rows = await adminQuery<{ spelling: string; municipality: string }>(database, 'select spelling, municipality from node.stat_municipality');
    expect(new Set(rows.map((row) => row.municipality))).toEqual(new Set(municipalities.map((municipality) => municipality.name)));
    expect(municipalities.filter((municipality) => municipality.agency === 'XK')).toHaveLength(38);
    expect(municipalities.filter((municipality) => municipality.agency === 'MK')).toHaveLength(81);
    const spellings = municipalities.flatMap((municipality) => [municipality.name, ...municipality.aliases].map((spelling) => [spelling, municipality.name]));
    const folded = await adminQuery<{ spelling: string; municipality: string | null }>(
      database,
      `select s.spelling, m.municipality from unnest($1::text[]) s(spelling) left join node.stat_municipality m on m.spelling = node.stat_spelling(s.spelling)`,
      [spellings.map(([spelling]) => spelling)],
    );
    expect(folded.map((row) => [row.spelling, row.municipality])).toEqual(spellings);
    expect(statisticsDimensions.MUNICIPALITY.values).toEqual([...municipalities.map((municipality) => municipality.name), 'OTHER', 'NONE']);
  });

  it("counts every spelling under the municipality's name, an unknown one as OTHER and none as NONE, never the text typed", async () => {
    const own = await ask('mk-analyst', ['MUNICIPALITY']);
    expect(own.map((cell) => [cell.values[0], cell.alerts]).sort()).toEqual([
      ['Kumanovo', 7],
      ['Lipkovo', 2],
      ['NONE', 5],
      ['OTHER', 1],
      ['Tetovo', 6],
    ].sort());
    // The partner: Lipkovo and OTHER under the minimum, protected with a complement; the text typed appears nowhere.
    const partner = await ask('xk-analyst', ['MUNICIPALITY']);
    expect(find(partner, 'Lipkovo')?.suppressed).toBe(true);
    expect(find(partner, 'OTHER')?.suppressed).toBe(true);
    for (const cell of partner) if (!cell.suppressed) expect(cell.alerts!).toBeGreaterThanOrEqual(5);
    expect(partner.filter((cell) => cell.suppressed).length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(partner)).not.toContain('Vaksince');
    const byBoth = await ask('xk-analyst', ['PLACE', 'MUNICIPALITY']);
    expect(find(byBoth, 'HANI_I_ELEZIT_BLACE', 'NONE')).toMatchObject({ suppressed: false, alerts: 5 });
  });

  it('moves an alert to its new municipality when the record is corrected, in the same transaction', async () => {
    const database = hub.nodes.get('MK')!.database.name;
    await adminQuery(database, `update node.alert set municipality = 'Tetovo' where municipality = 'the farm of a named person near Vaksince'`);
    const own = await ask('mk-analyst', ['MUNICIPALITY']);
    expect(find(own, 'Tetovo')?.alerts).toBe(7);
    expect(find(own, 'OTHER')).toBeUndefined();
    await adminQuery(database, `update node.alert set municipality = 'the farm of a named person near Vaksince' where id = (select id from node.alert where municipality = 'Tetovo' order by occurred_at desc limit 1)`);
  });

  it('gives a partner no table by municipality once the agreement no longer shares the dimension', async () => {
    terms.statistics.dimensions = defaults.dimensions.filter((dimension) => dimension !== 'MUNICIPALITY');
    try {
      const refused = await hub.query('xk-analyst', picture, { input: { dimensions: ['MUNICIPALITY'], from: '2026-04', to: '2026-04' } }, analysis);
      expect(codes(refused)).toEqual(['DIMENSION_NOT_SHARED']);
      expect(refused.errors![0]!.message).toContain('MUNICIPALITY');
      expect((await ask('mk-analyst', ['MUNICIPALITY'])).length).toBe(5);
    } finally {
      terms.statistics = structuredClone(defaults);
    }
  });
});
