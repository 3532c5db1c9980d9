import { cappedHeapMb, measureAuditExport } from '../auditExport.ts';
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
    return [
      {
        name: `export ${entries} entries, time`,
        value: results.full.elapsedMs / 1000,
        unit: 's',
        note: `${results.full.lines.toLocaleString('en')} JSON lines, ${Math.round(mb(results.full.bytes))} MB written; table ${results.sizes}; filled in ${(results.fillMs / 1000).toFixed(0)} s (not timed here).`,
      },
      rss(`export ${entries} entries, peak RSS`, results.full),
      {
        name: `export ${entries} entries, time, heap capped at ${cappedHeapMb} MB`,
        value: results.capped.elapsedMs / 1000,
        unit: 's',
        baseline: { name: 'uncapped', value: results.full.elapsedMs / 1000 },
      },
      rss(`export ${entries} entries, peak RSS, heap capped at ${cappedHeapMb} MB`, results.capped, false),
      { name: `verify ${entries} entries, time`, value: results.verify.elapsedMs / 1000, unit: 's', note: results.verify.verdict },
      rss(`verify ${entries} entries, peak RSS`, results.verify),
      {
        name: `verify ${entries} entries, time, heap capped at ${cappedHeapMb} MB`,
        value: results.cappedVerify.elapsedMs / 1000,
        unit: 's',
        baseline: { name: 'uncapped', value: results.verify.elapsedMs / 1000 },
      },
      rss(`verify ${entries} entries, peak RSS, heap capped at ${cappedHeapMb} MB`, results.cappedVerify, false),
    ];
  },
};
