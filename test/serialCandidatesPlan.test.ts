import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedStatements } from '../bench/parts/search.ts';
import { serialSearchKey } from '../src/domain/schema/addSearchTypes.ts';
import { similarScoreCap, similarityThreshold, wildcardScore } from '../src/node/records/searchRecords.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';

// node.serial_candidates (migration 0025) plans its statement once per
// session: a step must not be planned again for its values, which cost up to a
// third of a call on a million firearms (issue 21). Its answers are pinned to
// the one-statement reference in serialCandidates.test.ts; this file holds the
// plans, as PostgreSQL's auto_explain reports each statement the call runs.

let database: TestDatabase;
let client: pg.Client;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

beforeAll(async () => {
  database = await createTestDatabase('serial_plan');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  // The benchmark's seed: model prefixes shared by hundreds of serials, so that an exact serial's similar ones take
  // trigram steps. Its alerts name a unit this database has no row for: no foreign-key trigger, as the bench seeds.
  await client.query('set session_replication_role = replica');
  for (const statement of seedStatements(4_000, 'XK-BP-HANI', new Date())) await client.query(statement);
  await client.query('set session_replication_role = origin');
  await client.query('analyze node.alert, node.firearm, node.firearm_component');
  await client.query(`load 'auto_explain'`);
  const settings = { log_min_duration: '0', log_nested_statements: 'on', log_analyze: 'on', log_timing: 'off', log_format: 'json', log_level: 'notice' };
  for (const [name, value] of Object.entries(settings)) await client.query(`set auto_explain.${name} = '${value}'`);
}, 120_000);

afterAll(async () => {
  await client?.end();
  await database?.[Symbol.asyncDispose]();
});

/** The plans of the candidate statement, one per step the call ran, as auto_explain sends them back. */
async function stepPlans(serial: string, wanted: number): Promise<PlanNode[]> {
  const plans: PlanNode[] = [];
  const onNotice = (notice: { message?: string }) => {
    const json = notice.message?.match(/plan:\s*(\{[\s\S]*\})\s*$/)?.[1];
    const plan = json ? (JSON.parse(json) as { 'Query Text': string; Plan: PlanNode }) : undefined;
    if (plan && /array_agg/.test(plan['Query Text'])) plans.push(plan.Plan);
  };
  client.on('notice', onNotice);
  try {
    const key = serialSearchKey(serial);
    await client.query(`select * from node.serial_candidates($1, $2, $3, $4, $5, $6)`, [
      key,
      key.replaceAll('_', ' ').trim(),
      similarityThreshold,
      wildcardScore,
      similarScoreCap,
      wanted,
    ]);
  } finally {
    client.off('notice', onNotice);
  }
  return plans;
}

/** Every index scan of a plan: its index, its condition, and whether it ran. */
function indexScans(plan: PlanNode): { index: string; condition: string; ran: boolean }[] {
  const scans = /Index/.test(plan['Node Type']) && plan['Index Name'] ? [{ index: plan['Index Name'], condition: plan['Index Cond'] ?? '', ran: (plan['Actual Loops'] ?? 0) > 0 }] : [];
  return [...scans, ...(plan.Plans ?? []).flatMap(indexScans)];
}

describe('the serial candidates statement', () => {
  it('is planned once for any values: its index conditions read parameters, never the serial searched', async () => {
    const { rows } = await client.query<{ serial: string }>(`select serial_number as serial from node.firearm where serial_normalized like 'M70A%' order by id limit 2`);
    for (const { serial } of rows) {
      const plans = await stepPlans(serial, 10);
      // The exact step, then trigram steps until ten alerts are found.
      expect(plans.length).toBeGreaterThan(1);
      for (const plan of plans) {
        const serialScans = indexScans(plan).filter((scan) => /serial/.test(scan.index));
        expect(serialScans.length).toBeGreaterThan(0);
        for (const scan of serialScans) {
          expect(scan.condition, scan.index).toMatch(/\$\d/);
          expect(scan.condition, scan.index).not.toContain(serialSearchKey(serial));
        }
      }
    }
  });

  it('runs the b-tree alone for the exact step of a serial read in full, and the trigram index for one read in part', async () => {
    const { rows } = await client.query<{ serial: string }>(`select serial_number as serial from node.firearm order by id limit 1`);
    const serial = rows[0]!.serial;
    const ran = (plan: PlanNode) =>
      indexScans(plan)
        .filter((scan) => scan.ran)
        .map((scan) => scan.index);
    const [exactStep] = await stepPlans(serial, 1);
    expect(ran(exactStep!)).not.toContainEqual(expect.stringMatching(/trigram/));
    expect(ran(exactStep!)).toContain('firearm_serial_normalized_idx');
    const worn = `${serial.slice(0, 2)}?${serial.slice(3)}`;
    const [wornStep] = await stepPlans(worn, 1);
    expect(ran(wornStep!)).toContain('firearm_serial_trigram_idx');
    expect(ran(wornStep!)).not.toContain('firearm_serial_normalized_idx');
  });
});
