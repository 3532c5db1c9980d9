// The benchmark suite's reporter on fixed figures: what `npm run bench`
// prints and writes, without running anything that takes wall-clock time.
// And the suite's own documents against the contracts, so that a contract
// change breaks here rather than in the middle of a benchmark run.

import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { gatewayDocuments, nodeDocuments } from '../bench/readOperations.ts';
import {
  formatComparison,
  formatFigures,
  formatNumber,
  parseBenchRun,
  resultFileName,
  serializeBenchRun,
  type BenchRun,
  type PartResult,
} from '../bench/report.ts';

const parts: PartResult[] = [
  {
    name: 'gateway',
    description: 'the gateway against the node',
    seconds: 41.2,
    figures: [
      { name: 'gateway p50', value: 26, unit: 'ms', baseline: { name: 'node p50', value: 20 }, goal: '≤ 1.3× node', met: true },
      { name: 'gateway req/s', value: 1234.5, unit: 'req/s', baseline: { name: 'node req/s', value: 2469 }, note: 'two nodes answer' },
    ],
  },
  { name: 'auditWrite', description: 'the audit write path', seconds: 3, figures: [], error: 'the chain did not verify' },
  {
    name: 'auditExport',
    description: 'export',
    seconds: 80,
    figures: [{ name: 'export peak RSS', value: 0.5, unit: 'MB', goal: '< 200 MB', met: false }],
  },
];

const run = (overrides: Partial<BenchRun> = {}): BenchRun => ({
  format: 1,
  startedAt: '2026-12-01T11:45:58.123Z',
  finishedAt: '2026-12-01T11:58:01.000Z',
  git: { sha: 'e70c19b0000000000000000000000000000000aa', shortSha: 'e70c19b', branch: 'bench', dirty: false },
  machine: {
    cpus: 2,
    cpuModel: 'AMD EPYC',
    totalMemoryGiB: 24,
    platform: 'linux',
    arch: 'x64',
    node: 'v20.20.2',
    loadAverage: { start: [1.5, 1.25, 1], end: [2, 1.5, 1.125] },
  },
  scale: 1,
  parts,
  ...overrides,
});

describe('the benchmark reporter', () => {
  it('rounds to at most four significant figures and groups thousands', () => {
    expect([0.5124, 7.256, 61.34, 5012.4, 1234567, -3.5].map(formatNumber)).toEqual(['0.512', '7.26', '61.3', '5,012', '1,234,567', '-3.50']);
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });

  it('prints each figure beside its baseline with the ratio, the goal, and numbered notes; a failed part as FAILED', () => {
    expect(formatFigures(parts).split('\n')).toEqual([
      'part         figure           value  unit   baseline (same run)  baseline  × baseline  goal         met     note',
      '───────────  ───────────────  ─────  ─────  ───────────────────  ────────  ──────────  ───────────  ──────  ────',
      'gateway      gateway p50       26.0  ms     node p50                 20.0       1.30×  ≤ 1.3× node  met',
      '             gateway req/s    1,235  req/s  node req/s              2,469       0.50×                        [1]',
      'auditWrite   FAILED                                                                                          [2]',
      'auditExport  export peak RSS  0.500  MB                                                < 200 MB     MISSED',
      '',
      '[1] two nodes answer',
      '[2] the chain did not verify',
    ]);
  });

  it('prints the same table as Markdown, the part named on every row and pipes escaped', () => {
    const withPipe: PartResult[] = [{ name: 'p', description: '', seconds: 1, figures: [{ name: 'a|b', value: 2, unit: 'ms' }] }];
    expect(formatFigures(withPipe, { markdown: true }).split('\n')).toEqual([
      '| part | figure | value | unit | baseline (same run) | baseline | × baseline | goal | met | note |',
      '|:---|:---|---:|:---|:---|---:|---:|:---|:---|---:|',
      '| p | a\\|b | 2.00 | ms |  |  |  |  |  |  |',
    ]);
    expect(formatFigures(parts, { markdown: true })).toContain('\n\n1. two nodes answer\n2. the chain did not verify');
  });

  it('compares two runs figure by figure: the change, and each run’s ratio to its own baseline', () => {
    const before = run({ parts: [{ ...parts[0]!, figures: [{ ...parts[0]!.figures[0]!, value: 40 }, { name: 'gone', value: 1, unit: 'ms' }] }] });
    const lines = formatComparison(before, run()).split('\n');
    expect(lines[0]).toBe(
      'before: 2026-12-01 11:45 UTC, commit e70c19b on bench; Node.js v20.20.2 on linux/x64, 2 CPUs (AMD EPYC), 24 GiB RAM; load average 1.50 1.25 1.00 at start, 2.00 1.50 1.13 at end; scale 1',
    );
    const row = (figure: string) => lines.find((line) => line.includes(` ${figure} `))?.split(/\s{2,}/);
    expect(row('gateway p50')).toEqual(['gateway', 'gateway p50', 'ms', '40.0', '26.0', '−35.0 %', '2.00×', '1.30×']);
    expect(row('gateway req/s')).toEqual(['gateway', 'gateway req/s', 'req/s', '1,235', '0.50×']);
    expect(row('gone')).toEqual(['gateway', 'gone', 'ms', '1.00']);
  });

  it('writes a run as JSON that reads back whole, named after its start and commit', () => {
    const written = run();
    expect(resultFileName(written)).toBe('2026-12-01T11-45-58Z-e70c19b.json');
    const text = serializeBenchRun(written);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseBenchRun(text, 'run.json')).toEqual(written);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['format', 'startedAt', 'finishedAt', 'git', 'machine', 'scale', 'parts']);
    expect(Object.keys(written.machine)).toEqual(['cpus', 'cpuModel', 'totalMemoryGiB', 'platform', 'arch', 'node', 'loadAverage']);
  });

  it('refuses to compare against a file that is not a run of this format', () => {
    expect(() => parseBenchRun(JSON.stringify({ ...run(), format: 2 }), 'old.json')).toThrow('old.json is not a benchmark run of format 1');
    expect(() => parseBenchRun('{"format":1}', 'empty.json')).toThrow('empty.json is not a benchmark run of format 1');
  });
});

describe('the benchmark documents', () => {
  const contract = (name: string) => buildSchema(readFileSync(new URL(`../contracts/${name}.graphql`, import.meta.url), 'utf8'));

  it.each([
    ['node', nodeDocuments],
    ['gateway', gatewayDocuments],
  ] as const)('are valid against the %s contract', (name, documents) => {
    const schema = contract(name);
    for (const [operation, document] of Object.entries(documents)) {
      expect({ operation, errors: validate(schema, parse(document)).map((error) => error.message) }).toEqual({ operation, errors: [] });
    }
  });
});
