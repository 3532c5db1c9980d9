import { cappedHeapMb, measureAuditExport, type ChildReport } from '../auditExport.ts';
import type { BenchFigure, BenchPart } from '../suite.ts';

/** Goal 6 of issue 11: peak RSS of export and of verify, each. */
const rssGoalMb = 200;
const mb = (bytes: number) => bytes / 1024 / 1024;

export const auditExportPart: BenchPart = {
  name: 'auditExport',
  description: `audit export and audit verify over a log of 1,000,000 entries at scale 1 (goal 6), each in a child process of its own: time and peak RSS, beside the RSS once loaded; again with V8's heap capped at ${cappedHeapMb} MB, the proof that memory does not grow with the log.`,
  async run({ scale, log }) {
    const total = Math.max(10_000, Math.round(1_000_000 * scale));
    // The export of a time range (npm run bench:audit shows it) is left out: the suite has 15 minutes.
    const results = await measureAuditExport(total, { log, partial: false });
    const entries = total.toLocaleString('en');
    const rss = (name: string, report: { maxRss: number; baselineRss: number }, goal = true): BenchFigure => ({
      name,
      value: mb(report.maxRss),
      unit: 'MB',
      baseline: { name: 'RSS once loaded', value: mb(report.baselineRss) },
      ...(goal ? { goal: `< ${rssGoalMb} MB`, met: mb(report.maxRss) < rssGoalMb } : {}),
    });
    /** Time and peak RSS of one command, then the same with the heap capped. */
    const runs = (command: string, full: ChildReport, capped: ChildReport, note: string): BenchFigure[] => [
      { name: `${command} ${entries} entries, time`, value: full.elapsedMs / 1000, unit: 's', note },
      rss(`${command} ${entries} entries, peak RSS`, full),
      {
        name: `${command} ${entries} entries, time, heap capped at ${cappedHeapMb} MB`,
        value: capped.elapsedMs / 1000,
        unit: 's',
        baseline: { name: 'uncapped', value: full.elapsedMs / 1000 },
      },
      rss(`${command} ${entries} entries, peak RSS, heap capped at ${cappedHeapMb} MB`, capped, false),
    ];
    return [
      ...runs(
        'export',
        results.full,
        results.capped,
        `${results.full.lines.toLocaleString('en')} JSON lines, ${Math.round(mb(results.full.bytes))} MB written; table ${results.sizes}; filled in ${(results.fillMs / 1000).toFixed(0)} s (not timed here).`,
      ),
      ...runs('verify', results.verify, results.cappedVerify, results.verify.verdict),
    ];
  },
};
