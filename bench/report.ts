// The one reporter of the suite: every part's figures in one table, each
// beside its baseline from the same run and the ratio to it; the run as JSON
// (machine, git, load) for comparison between commits; and the change from an
// earlier run's JSON.

import type { BenchFigure } from './suite.ts';

export interface Column {
  header: string;
  /** Numbers read best right-aligned, names left-aligned. */
  align: 'left' | 'right';
}

/**
 * A table with columns padded to their widest cell: plain text with a rule
 * under the header, or GitHub Markdown (for the README).
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[], { markdown = false } = {}): string {
  if (markdown) {
    const escape = (cell: string) => cell.replaceAll('|', '\\|');
    const line = (cells: readonly string[]) => `| ${columns.map((_, index) => escape(cells[index] ?? '')).join(' | ')} |`;
    const rule = `|${columns.map((column) => (column.align === 'right' ? '---:' : ':---')).join('|')}|`;
    return [line(columns.map((column) => column.header)), rule, ...rows.map(line)].join('\n');
  }
  const widths = columns.map((column, index) => Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const width = widths[index] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), line(widths.map((width) => '─'.repeat(width))), ...rows.map(line)].join('\n');
}

/** What one part produced: its figures, or why it has none. */
export interface PartResult {
  name: string;
  description: string;
  /** Wall-clock time of the part, set-up included. */
  seconds: number;
  figures: BenchFigure[];
  /** The part failed: its message (figures then holds whatever it had measured, usually nothing). */
  error?: string;
}

/** The machine a run measured on; numbers of two runs compare only as well as these do. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryGiB: number;
  platform: string;
  arch: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started and when it ended: a busy machine shows here. */
  loadAverage: { start: number[]; end: number[] };
}

/** A whole run, as written to bench/results/<time>-<sha>.json. */
export interface BenchRun {
  /** Version of this shape; a change that breaks --compare bumps it. */
  format: 1;
  startedAt: string;
  finishedAt: string;
  git: { sha: string; shortSha: string; branch: string; dirty: boolean };
  machine: MachineInfo;
  /** Scale factor of the run (1 normal, smaller with --quick). */
  scale: number;
  parts: PartResult[];
}

/** Four significant figures at most, thousands grouped: 0.512, 7.25, 61.3, 5,012. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const formatRatio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '');

/** Relative change in percent, signed: "+12.0 %", "−3.4 %". */
function formatChange(now: number, before: number): string {
  if (before === 0 || !Number.isFinite(now / before)) return '';
  const change = (now / before - 1) * 100;
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  return `${sign}${Math.abs(change).toFixed(1)} %`;
}

const verdict = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : 'MISSED');

const figureColumns: readonly Column[] = [
  { header: 'part', align: 'left' },
  { header: 'figure', align: 'left' },
  { header: 'value', align: 'right' },
  { header: 'unit', align: 'left' },
  { header: 'baseline (same run)', align: 'left' },
  { header: 'baseline', align: 'right' },
  { header: '× baseline', align: 'right' },
  { header: 'goal', align: 'left' },
  { header: 'met', align: 'left' },
  { header: 'note', align: 'right' },
];

/**
 * One table of every part's figures. Each figure's baseline sits beside it
 * with the ratio of the two; notes are numbered and listed under the table,
 * so that the columns stay narrow. A failed part gets one row with its error.
 */
export function formatFigures(parts: readonly PartResult[], { markdown = false } = {}): string {
  const notes: string[] = [];
  const rows: string[][] = [];
  for (const part of parts) {
    if (part.error !== undefined) {
      notes.push(part.error);
      rows.push([part.name, 'FAILED', '', '', '', '', '', '', '', `[${notes.length}]`]);
    }
    part.figures.forEach((figure, index) => {
      let noteRef = '';
      if (figure.note) {
        notes.push(figure.note);
        noteRef = `[${notes.length}]`;
      }
      rows.push([
        index === 0 || markdown ? part.name : '',
        figure.name,
        formatNumber(figure.value),
        figure.unit,
        figure.baseline?.name ?? '',
        figure.baseline ? formatNumber(figure.baseline.value) : '',
        figure.baseline ? formatRatio(figure.value / figure.baseline.value) : '',
        figure.goal ?? '',
        verdict(figure.met),
        noteRef,
      ]);
    });
  }
  const table = formatTable(figureColumns, rows, { markdown });
  if (notes.length === 0) return table;
  const list = notes.map((note, index) => (markdown ? `${index + 1}. ${note}` : `[${index + 1}] ${note}`));
  return `${table}\n\n${list.join('\n')}`;
}

/** The run's circumstances in one line: date, commit, machine, load. */
export function describeRun(run: BenchRun): string {
  const { machine, git } = run;
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  return [
    `${run.startedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${git.shortSha}${git.dirty ? ' (uncommitted changes)' : ''} on ${git.branch}`,
    `Node.js ${machine.node} on ${machine.platform}/${machine.arch}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.totalMemoryGiB} GiB RAM`,
    `load average ${load(machine.loadAverage.start)} at start, ${load(machine.loadAverage.end)} at end; scale ${run.scale}`,
  ].join('; ');
}

const comparisonColumns: readonly Column[] = [
  { header: 'part', align: 'left' },
  { header: 'figure', align: 'left' },
  { header: 'unit', align: 'left' },
  { header: 'before', align: 'right' },
  { header: 'now', align: 'right' },
  { header: 'change', align: 'right' },
  { header: '× baseline before', align: 'right' },
  { header: '× baseline now', align: 'right' },
];

/**
 * The figures of `now` beside the same figures (same part and name) of
 * `before`. Absolute numbers move with the machine's load; the ratio to the
 * same run's baseline travels better, so both are shown. Figures of only one
 * run are listed with the other side empty.
 */
export function formatComparison(before: BenchRun, now: BenchRun, { markdown = false } = {}): string {
  const key = (part: string, figure: string) => `${part}\u0000${figure}`;
  const earlier = new Map<string, BenchFigure>();
  for (const part of before.parts) for (const figure of part.figures) earlier.set(key(part.name, figure.name), figure);
  const ratio = (figure: BenchFigure | undefined) => (figure?.baseline ? formatRatio(figure.value / figure.baseline.value) : '');

  const rows: string[][] = [];
  const seen = new Set<string>();
  for (const part of now.parts) {
    for (const figure of part.figures) {
      const id = key(part.name, figure.name);
      seen.add(id);
      const old = earlier.get(id);
      rows.push([
        part.name,
        figure.name,
        figure.unit,
        old ? formatNumber(old.value) : '',
        formatNumber(figure.value),
        old && old.unit === figure.unit ? formatChange(figure.value, old.value) : '',
        ratio(old),
        ratio(figure),
      ]);
    }
  }
  for (const part of before.parts) {
    for (const figure of part.figures) {
      if (!seen.has(key(part.name, figure.name))) rows.push([part.name, figure.name, figure.unit, formatNumber(figure.value), '', '', ratio(figure), '']);
    }
  }
  return [`before: ${describeRun(before)}`, `now:    ${describeRun(now)}`, '', formatTable(comparisonColumns, rows, { markdown })].join('\n');
}

/** The file a run is written to: its start time (colons made dashes, no milliseconds) and commit, e.g. 2026-12-01T11-45-58Z-e70c19b.json. */
export function resultFileName(run: BenchRun): string {
  return `${run.startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z')}-${run.git.shortSha}.json`;
}

/** The run as the suite writes it: indented JSON, one trailing newline. */
export function serializeBenchRun(run: BenchRun): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}

/** Reads a run written by the suite, refusing anything of another shape. */
export function parseBenchRun(text: string, source: string): BenchRun {
  const value = JSON.parse(text) as Partial<BenchRun>;
  if (value.format !== 1 || !Array.isArray(value.parts)) throw new Error(`${source} is not a benchmark run of format 1`);
  return value as BenchRun;
}
