import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement as committed, parseAgreement } from '../src/consent/agreement.ts';
import { activeOperation, operationDocuments, succeed, workingInOperation } from './operationFixtures.ts';
import { adminQuery, codes, startTestHub, type TestHub } from './helpers.ts';

// The joint picture's measure "persons arrested in joint operations": the
// gateway counts the ARREST entries of the joint operations' timelines from
// the hub's rollup (hub.stat_arrest, migration 0013), marks the table JOINT,
// counts only operations of which the caller's agency is a party, and
// protects it for everyone. Operations are written straight into the hub
// database (the rollup's triggers fire for any writer), and one through the
// API; the agreement is the gateway's own copy, changed between requests.

const analysis = { purpose: 'RISK_ANALYSIS', caseReference: null };
const document = /* GraphQL */ `
  query Arrests($input: StatisticsInput!) {
    jointPicture(input: $input, agencies: ["XK"]) {
      periods
      arrests { agency party grid periods protected minimumCellSize suppressedCells cells { period suppressed personsArrested } }
    }
  }
`;

interface Arrests {
  agency: string;
  party: string;
  grid: string;
  protected: boolean;
  minimumCellSize: number;
  suppressedCells: number;
  cells: { period: string; suppressed: boolean; personsArrested: number | null }[];
}

let hub: TestHub;
const terms = parseAgreement(structuredClone(committed));
const defaults = structuredClone(terms.statistics);

interface Entry {
  kind?: 'ARREST' | 'NOTE';
  at: string;
  persons?: number | null;
  /** Index of an earlier entry of the same operation that this one corrects. */
  corrects?: number;
}

/** A joint operation written as the hub's records would hold it, with its timeline in order. */
async function insertOperation(parties: string[], entries: Entry[]): Promise<string> {
  const id = randomUUID();
  await adminQuery(
    hub.hubDatabase.name,
    `insert into hub.joint_operation (id, code, code_name, objective, legal_basis, lead_agency, participating_agencies, planned_start, planned_end, status, created_by)
     values ($1, $2, 'TEST', 'Arrest statistics', 'Test', $3, $4, '2025-01-01', '2025-12-31', 'ACTIVE', 'stat.test')`,
    [id, `JO-T-${id.slice(0, 8)}`, parties[0], parties],
  );
  const ids: string[] = [];
  for (const entry of entries) {
    const entryId = randomUUID();
    await adminQuery(
      hub.hubDatabase.name,
      `insert into hub.timeline_entry (id, operation_id, kind, occurred_at, text, persons_arrested, alert_ids, corrects_id, author_sub, author_agency, author_unit, recorded_at)
       values ($1, $2, $3, $4, 'entry', $5, '{}', $6, 'stat.test', $7, 'XK-BP-HANI', now())`,
      [entryId, id, entry.kind ?? 'ARREST', entry.at, entry.kind === 'NOTE' ? null : (entry.persons ?? null), entry.corrects === undefined ? null : ids[entry.corrects], parties[0]],
    );
    ids.push(entryId);
  }
  return id;
}

beforeAll(async () => {
  hub = await startTestHub({ node: { agreement: terms }, gateway: { agreement: terms } });
  // May 2025: operation A 3 + 4 persons, B 6 corrected to 5; C, of XK and a third agency, 9.
  // June: A 2. July: A 8, B 3. August: A 6, corrected by a note (no arrest after all).
  await insertOperation(['XK', 'MK'], [
    { at: '2025-05-03T10:00:00Z', persons: 3 },
    { at: '2025-05-20T10:00:00Z', persons: 4 },
    { at: '2025-06-11T10:00:00Z', persons: 2 },
    { at: '2025-07-02T10:00:00Z', persons: 8 },
    { at: '2025-08-02T10:00:00Z', persons: 6 },
    { kind: 'NOTE', at: '2025-08-03T10:00:00Z', corrects: 4 },
  ]);
  await insertOperation(['MK', 'XK'], [
    { at: '2025-05-09T10:00:00Z', persons: 6 },
    { at: '2025-05-09T10:00:00Z', persons: 5, corrects: 0 },
    { at: '2025-07-15T10:00:00Z', persons: 3 },
  ]);
  await insertOperation(['XK', 'AL'], [{ at: '2025-05-28T10:00:00Z', persons: 9 }]);
}, 120_000);

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

async function arrests(user: 'xk-analyst' | 'mk-analyst', from = '2025-05', to = '2025-08'): Promise<Arrests | null> {
  const result = await hub.query<{ jointPicture: { arrests: Arrests | null } }>(user, document, { input: { dimensions: [], from, to } }, analysis);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.jointPicture.arrests;
}

const cell = (table: Arrests | null, period: string) => table?.cells.find((candidate) => candidate.period === period);

describe('persons arrested in joint operations', () => {
  it("counts the arrests of the caller's agency's operations per month, corrections replacing what they correct, marked JOINT", async () => {
    const xk = await arrests('xk-analyst');
    expect(xk).toMatchObject({ agency: 'JOINT', party: 'XK', grid: 'MONTH', protected: true, minimumCellSize: 5 });
    // A 7, B 5 (the correction), C 9: every operation's share at least 5.
    expect(cell(xk, '2025-05')).toEqual({ period: '2025-05', suppressed: false, personsArrested: 21 });
    // MK is no party of C.
    const mk = await arrests('mk-analyst');
    expect(mk).toMatchObject({ agency: 'JOINT', party: 'MK' });
    expect(cell(mk, '2025-05')).toEqual({ period: '2025-05', suppressed: false, personsArrested: 12 });
    // August's arrest was corrected by a note: no arrest, no cell.
    expect(cell(xk, '2025-08')).toBeUndefined();
  });

  it('suppresses a month under the minimum, and a month where one operation arrested fewer than the minimum', async () => {
    const xk = await arrests('xk-analyst');
    expect(cell(xk, '2025-06')).toEqual({ period: '2025-06', suppressed: true, personsArrested: null });
    // 8 + 3 = 11, but a member of A knows its 8 and would learn B's 3.
    expect(cell(xk, '2025-07')).toEqual({ period: '2025-07', suppressed: true, personsArrested: null });
    expect(xk!.suppressedCells).toBe(2);
    // The same question, the same answer.
    expect(await arrests('xk-analyst')).toEqual(xk);
    terms.statistics.minimumCellSize = 3;
    try {
      const lower = await arrests('xk-analyst');
      expect(cell(lower, '2025-07')).toEqual({ period: '2025-07', suppressed: false, personsArrested: 11 });
      expect(cell(lower, '2025-06')?.suppressed).toBe(true);
    } finally {
      terms.statistics = structuredClone(defaults);
    }
  });

  it('follows the agreement: its grid, and no table at all when it does not list the measure', async () => {
    terms.statistics.timeGrid = 'WEEK';
    try {
      const weeks = await arrests('mk-analyst', '2025-W19', '2025-W19');
      // B's corrected 5 on Friday 9 May 2025 alone in ISO week 19; A's 3 was in week 18.
      expect(weeks).toMatchObject({ grid: 'WEEK', cells: [{ period: '2025-W19', suppressed: false, personsArrested: 5 }] });
    } finally {
      terms.statistics = structuredClone(defaults);
    }
    terms.statistics.measures = defaults.measures.filter((measure) => measure !== 'PERSONS_ARRESTED');
    try {
      expect(await arrests('xk-analyst')).toBeNull();
      const [entry] = await adminQuery<{ details: { statistics: { agency: string }[] } }>(
        hub.hubDatabase.name,
        `select details from audit.entry where actor_agency = 'XK' and details ? 'statistics' order by seq desc limit 1`,
      );
      expect(entry!.details.statistics.map((table) => table.agency)).toEqual(['XK']);
    } finally {
      terms.statistics = structuredClone(defaults);
    }
    expect(codes(await hub.query('xk-analyst', document, { input: { dimensions: [] } }, { purpose: 'BORDER_CHECK', caseReference: null }))).toContain('PURPOSE_NOT_ALLOWED');
  });

  it("names the released table and its suppressed periods in the gateway's consultation entry", async () => {
    await arrests('mk-analyst');
    const [entry] = await adminQuery<{ purpose: string; details: { statistics: Record<string, unknown>[] } }>(
      hub.hubDatabase.name,
      `select purpose, details from audit.entry where actor_agency = 'MK' and details ? 'statistics' order by seq desc limit 1`,
    );
    expect(entry!.purpose).toBe('RISK_ANALYSIS');
    expect(entry!.details.statistics.find((table) => table.agency === 'JOINT')).toEqual({
      agency: 'JOINT',
      party: 'MK',
      measure: 'PERSONS_ARRESTED',
      dimensions: [],
      grid: 'MONTH',
      from: '2025-05',
      to: '2025-08',
      protected: true,
      minimumCellSize: 5,
      cells: 1,
      suppressedCells: 2,
      suppressed: ['2025-06', '2025-07'],
    });
  });

  it('counts an arrest recorded through the API in the same transaction as the entry', async () => {
    const code = 'JO-2026-0777';
    const id = await activeOperation(hub, code, []);
    const before = cell(await arrests('mk-analyst', '2025-10', '2025-10'), '2025-10');
    expect(before).toBeUndefined();
    const entry = { kind: 'ARREST', occurredAt: '2025-10-04T08:00:00.000Z', text: 'Two drivers and four passengers arrested at Blace.', personsArrested: 6 };
    const added = await succeed(hub, 'xk-liaison', operationDocuments.addEntry, { id, input: entry }, workingInOperation(code));
    expect(cell(await arrests('mk-analyst', '2025-10', '2025-10'), '2025-10')).toEqual({ period: '2025-10', suppressed: false, personsArrested: 6 });
    // A correction to 4 replaces it: under the minimum now.
    await succeed(hub, 'mk-liaison', operationDocuments.addEntry, { id, input: { ...entry, personsArrested: 4, correctsId: added.addTimelineEntry.id } }, workingInOperation(code));
    expect(cell(await arrests('xk-analyst', '2025-10', '2025-10'), '2025-10')).toEqual({ period: '2025-10', suppressed: true, personsArrested: null });
  });
});
