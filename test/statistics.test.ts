import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statisticsTable } from '../src/statistics/statisticsTable.ts';
import { agreement as committed, parseAgreement } from '../src/consent/agreement.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, startTestHub, type TestHub } from './helpers.ts';
import { alike, insertStatAlerts, type StatAlert } from './statisticsNode.ts';

// The joint picture against a running hub: the owner's node computes each
// table from its rollups, whole for its own officers and protected for a
// partner as the agreement in force says; the gateway merges; both ends log
// the table released. The agreement is the nodes' own copy, changed between
// requests as a renegotiated agreement would be.

const analysis = { purpose: 'RISK_ANALYSIS', caseReference: null };
const picture = /* GraphQL */ `
  query Picture($input: StatisticsInput!, $agencies: [String!]) {
    jointPicture(input: $input, agencies: $agencies) {
      periods dimensions unavailableAgencies
      tables { agency protected minimumCellSize countWithheld suppressedCells measures }
      cells { agency period values suppressed alerts firearms threat }
    }
  }
`;

type Cell = { agency: string; period: string; values: string[]; suppressed: boolean; alerts: number | null; firearms: number | null; threat: number | null };

let hub: TestHub;
const terms = parseAgreement(structuredClone(committed));
const defaults = structuredClone(terms.statistics);

beforeAll(async () => {
  hub = await startTestHub({ node: { agreement: terms } });
  const xk = hub.nodes.get('XK')!.database.name;
  // March 2026 at XK: Blace 12 pistols and 2 rifles, Jažince 6 pistols, Belanovce 3 pistols; one H2 seizure at Blace.
  await insertStatAlerts(xk, 'XK-BP-HANI', [
    ...alike(12, { occurredAt: '2026-03-10T10:00:00Z', place: 'HANI_I_ELEZIT_BLACE', firearmType: 'PISTOL', threat: 4 }),
    ...alike(2, { occurredAt: '2026-03-11T10:00:00Z', place: 'HANI_I_ELEZIT_BLACE', firearmType: 'RIFLE', threat: 5 }),
    ...alike(6, { occurredAt: '2026-03-12T10:00:00Z', place: 'GLLOBOCICE_JAZHINCE', firearmType: 'PISTOL' }),
    ...alike(3, { occurredAt: '2026-03-13T10:00:00Z', place: 'STANCIQ_BELANOVCE', firearmType: 'PISTOL' }),
  ]);
}, 120_000);

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

const ask = (user: 'xk-analyst' | 'mk-analyst', dimensions: string[], options: { from?: string; to?: string; purpose?: string } = {}) =>
  hub.query<{ jointPicture: { cells: Cell[]; tables: { agency: string; protected: boolean; suppressedCells: number }[] } }>(
    user,
    picture,
    { input: { dimensions, from: options.from ?? '2026-03', to: options.to ?? '2026-03' }, agencies: ['XK'] },
    { ...analysis, ...(options.purpose ? { purpose: options.purpose } : {}) },
  );

const cellsOf = (result: Awaited<ReturnType<typeof ask>>) => {
  expect(result.errors).toBeUndefined();
  return result.data!.jointPicture.cells;
};
const find = (cells: Cell[], ...values: string[]) => cells.find((cell) => cell.values.join() === values.join());

describe('statistics of one agency', () => {
  it("gives the owner's own analyst the table whole, and the partner's analyst only cells of five alerts or more", async () => {
    const own = cellsOf(await ask('xk-analyst', ['PLACE', 'FIREARM_TYPE']));
    expect(own.every((cell) => cell.agency === 'XK' && !cell.suppressed)).toBe(true);
    expect(find(own, 'HANI_I_ELEZIT_BLACE', 'RIFLE')?.alerts).toBe(2);
    expect(find(own, 'STANCIQ_BELANOVCE', 'PISTOL')?.alerts).toBe(3);

    const partner = cellsOf(await ask('mk-analyst', ['PLACE', 'FIREARM_TYPE']));
    for (const cell of partner) if (!cell.suppressed) expect(cell.alerts!).toBeGreaterThanOrEqual(5);
    expect(find(partner, 'HANI_I_ELEZIT_BLACE', 'RIFLE')?.suppressed).toBe(true);
    expect(find(partner, 'STANCIQ_BELANOVCE', 'PISTOL')?.suppressed).toBe(true);
    // The rifles' complement at Blace is suppressed with them: Blace's total and its pistols are no longer both released.
    const byPlace = cellsOf(await ask('mk-analyst', ['PLACE']));
    const blace = find(byPlace, 'HANI_I_ELEZIT_BLACE')!;
    const blacePistols = find(partner, 'HANI_I_ELEZIT_BLACE', 'PISTOL')!;
    expect(blace.suppressed || blacePistols.suppressed).toBe(true);
    // No suppressed cell is the difference of released ones: the total is a sum of released cells only where nothing is suppressed.
    const [total] = cellsOf(await ask('mk-analyst', []));
    expect(total!.suppressed ? null : total!.alerts).toBe(23);
  });

  it('answers the same question the same way, and a partner never by a dimension the agreement does not share', async () => {
    const first = await ask('mk-analyst', ['PLACE', 'FIREARM_TYPE']);
    expect(await ask('mk-analyst', ['PLACE', 'FIREARM_TYPE'])).toEqual(first);
    terms.statistics.dimensions = ['PLACE'];
    try {
      const refused = await ask('mk-analyst', ['PLACE', 'FIREARM_TYPE']);
      expect(codes(refused)).toEqual(['DIMENSION_NOT_SHARED']);
      expect(refused.errors![0]!.message).toContain('FIREARM_TYPE');
      // The owner's own officers are not bound by what partners are given.
      expect(cellsOf(await ask('xk-analyst', ['PLACE', 'FIREARM_TYPE'])).length).toBeGreaterThan(0);
    } finally {
      terms.statistics = structuredClone(defaults);
    }
  });

  it('releases statistics only under the purposes the agreement names for them', async () => {
    expect(codes(await ask('mk-analyst', ['PLACE'], { purpose: 'BORDER_CHECK' }))).toEqual(['PURPOSE_NOT_ALLOWED']);
    terms.statistics.purposes = ['RISK_ANALYSIS', 'BORDER_CHECK'];
    try {
      expect(cellsOf(await ask('mk-analyst', ['PLACE'], { purpose: 'BORDER_CHECK' })).length).toBeGreaterThan(0);
    } finally {
      terms.statistics = structuredClone(defaults);
    }
    // An auditor's role takes no operational data, statistics included.
    expect(codes(await hub.query('xk-auditor', picture, { input: { dimensions: ['PLACE'] } }, { purpose: 'AUDIT', caseReference: null }))).toEqual(['FORBIDDEN']);
  });

  it('releases more to a partner under a lower minimum cell size, and less under a higher one', async () => {
    const under = async (minimum: number) => {
      terms.statistics.minimumCellSize = minimum;
      try {
        return cellsOf(await ask('mk-analyst', ['PLACE']));
      } finally {
        terms.statistics = structuredClone(defaults);
      }
    };
    expect(find(await under(3), 'STANCIQ_BELANOVCE')).toMatchObject({ suppressed: false, alerts: 3 });
    expect(find(await under(5), 'STANCIQ_BELANOVCE')?.suppressed).toBe(true);
    const strict = await under(7);
    expect(find(strict, 'GLLOBOCICE_JAZHINCE')?.suppressed).toBe(true);
    expect(strict.filter((cell) => !cell.suppressed).every((cell) => cell.alerts! >= 7)).toBe(true);
  });

  it('leaves alerts withheld from the partner out of its statistics, unless the agreement counts them', async () => {
    const before = cellsOf(await ask('mk-analyst', ['PLACE']));
    await insertStatAlerts(hub.nodes.get('XK')!.database.name, 'XK-BP-HANI', [
      { occurredAt: '2026-03-20T10:00:00Z', place: 'HANI_I_ELEZIT_BLACE', firearmType: 'PISTOL', mkTier: 'NONE' },
      { occurredAt: '2026-03-21T10:00:00Z', place: 'HANI_I_ELEZIT_BLACE', firearmType: 'PISTOL', handlingCode: 'H2' },
    ]);
    expect(cellsOf(await ask('mk-analyst', ['PLACE']))).toEqual(before);
    expect(find(cellsOf(await ask('xk-analyst', ['PLACE'])), 'HANI_I_ELEZIT_BLACE')?.alerts).toBe(16);
    terms.statistics.countWithheld = true;
    try {
      const counted = cellsOf(await ask('mk-analyst', ['PLACE']));
      expect(counted).not.toEqual(before);
      const [total] = cellsOf(await ask('mk-analyst', []));
      expect(total).toMatchObject({ suppressed: false, alerts: 25 });
    } finally {
      terms.statistics = structuredClone(defaults);
    }
  });

  it("counts an alert created through the API in its own agency's table at once", async () => {
    const month = (await ask('xk-analyst', [], { from: '2026-10', to: '2026-10' })).data!.jointPicture.cells;
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    const after = cellsOf(await ask('xk-analyst', [], { from: '2026-10', to: '2026-10' }));
    expect(after[0]!.alerts).toBe((month[0]?.alerts ?? 0) + 1);
    expect(after[0]!.firearms).toBe((month[0]?.firearms ?? 0) + 1);
  });

  it("names the released table, its period and its suppressed cells in the node's disclosure entry and the gateway's consultation entry", async () => {
    await ask('mk-analyst', ['PLACE', 'FIREARM_TYPE']);
    const [disclosure] = await adminQuery<{ purpose: string; details: { statistics: Record<string, unknown> } }>(
      hub.nodes.get('XK')!.database.name,
      `select purpose, details from audit.entry where actor_agency = 'MK' and details ? 'statistics' order by seq desc limit 1`,
    );
    expect(disclosure!.purpose).toBe('RISK_ANALYSIS');
    expect(disclosure!.details.statistics).toMatchObject({
      recipient: 'MK',
      dimensions: ['PLACE', 'FIREARM_TYPE'],
      from: '2026-03',
      to: '2026-03',
      protected: true,
      minimumCellSize: 5,
    });
    expect(disclosure!.details.statistics.suppressed).toContain('2026-03 HANI_I_ELEZIT_BLACE RIFLE');
    const [consultation] = await adminQuery<{ purpose: string; details: { statistics: Record<string, unknown>[] } }>(
      hub.hubDatabase.name,
      `select purpose, details from audit.entry where actor_agency = 'MK' and details ? 'statistics' order by seq desc limit 1`,
    );
    expect(consultation!.purpose).toBe('RISK_ANALYSIS');
    expect(consultation!.details.statistics[0]).toMatchObject({ agency: 'XK', dimensions: ['PLACE', 'FIREARM_TYPE'], from: '2026-03', protected: true });
    expect(consultation!.details.statistics[0]!.suppressed).toEqual(disclosure!.details.statistics.suppressed);
  });

  it('refuses bad periods and tables too fine to list, and says why', async () => {
    const bad = await ask('mk-analyst', ['PLACE'], { from: '2026-13' });
    expect(codes(bad)).toEqual(['VALIDATION_FAILED']);
    expect(bad.errors![0]!.message).toContain('input.from must name a month');
    expect(codes(await ask('mk-analyst', ['PLACE'], { from: '2020-01', to: '2026-01' }))).toEqual(['VALIDATION_FAILED']);
    expect(codes(await ask('mk-analyst', ['PLACE'], { from: '2026-04', to: '2026-03' }))).toEqual(['VALIDATION_FAILED']);
  });

  it('changes no number a partner receives by an alert withheld from it, unless the agreement counts withheld alerts (generated, fixed seed)', async () => {
    const places = ['HANI_I_ELEZIT_BLACE', 'GLLOBOCICE_JAZHINCE', 'STANCIQ_BELANOVCE', 'SECTOR_KARADAK'] as const;
    const alert = fc.record({
      place: fc.constantFrom(...places),
      firearmType: fc.constantFrom('PISTOL', 'RIFLE', 'ASSAULT_RIFLE', null),
      threat: fc.integer({ min: 1, max: 5 }),
      converted: fc.boolean(),
      municipality: fc.constantFrom('Hani i Elezit', 'Kaçanik', 'KACANIK', 'Viti', 'a village not on the list', null),
    });
    const dimensionSets = fc.subarray(['PLACE', 'FIREARM_TYPE', 'CONVERTED_GAS_ALARM', 'RISK_LEVEL', 'MUNICIPALITY'] as const);
    const mk = { agency: 'MK', roles: ['analyst'] as const };
    const xk = hub.nodes.get('XK')!;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(alert, { minLength: 5, maxLength: 40 }),
        alert,
        fc.constantFrom<StatAlert['mkTier'] | 'H2'>('NONE', 'H2'),
        fc.integer({ min: 3, max: 6 }),
        dimensionSets,
        async (alerts, withheld, how, minimum, dimensions) => {
          // A month of its own for every run: runs do not see each other's alerts.
          const month = `2024-${String(1 + (run % 12)).padStart(2, '0')}`;
          const year = 2010 + Math.floor(run / 12);
          run += 1;
          const period = month.replace('2024', String(year));
          const at = `${period}-15T12:00:00Z`;
          await insertStatAlerts(xk.database.name, 'XK-BP-HANI', alerts.map((a) => ({ ...a, occurredAt: at })));
          const variant = parseAgreement({ ...structuredClone(committed), statistics: { ...structuredClone(defaults), minimumCellSize: minimum } });
          const request = { dimensions, from: period, to: period };
          const table = () => statisticsTable(xk.prisma, 'XK', mk, { code: 'RISK_ANALYSIS', caseReference: null }, request, variant);
          const before = await table();
          await insertStatAlerts(xk.database.name, 'XK-BP-HANI', [{ ...withheld, occurredAt: at, ...(how === 'H2' ? { handlingCode: 'H2' } : { mkTier: 'NONE' }) }]);
          expect(await table()).toEqual(before);
          variant.statistics.countWithheld = true;
          const counted = await statisticsTable(xk.prisma, 'XK', mk, { code: 'RISK_ANALYSIS', caseReference: null }, { dimensions: [], from: period, to: period }, variant);
          const total = alerts.length + 1;
          expect(counted.cells).toEqual([expect.objectContaining(total >= minimum ? { suppressed: false, alerts: total } : { suppressed: true })]);
        },
      ),
      { seed: 1205, numRuns: 12 },
    );
  }, 120_000);
});
