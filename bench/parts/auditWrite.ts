import { measureAuditWrite } from '../auditWrite.ts';
import type { BenchPart } from '../suite.ts';

const writers = 32;
/** Goal 3 of issue 11. */
const goal = { entriesPerSecond: 5_000, ofPlain: 0.7 };

/** By how much goal 3 was missed, and whether the table itself could have met it here. */
function missedBy(chained: number, plain: number): string {
  const parts: string[] = [];
  if (chained < goal.ofPlain * plain) parts.push(`${(chained / plain).toFixed(2)}× plain, under ${goal.ofPlain}×`);
  if (chained < goal.entriesPerSecond) {
    parts.push(`${Math.round(chained).toLocaleString('en')}/s, ${Math.round((1 - chained / goal.entriesPerSecond) * 100)} % under ${goal.entriesPerSecond.toLocaleString('en')}/s`);
    if (plain < goal.entriesPerSecond) parts.push(`plain inserts of one row per transaction reach only ${Math.round(plain).toLocaleString('en')}/s on this run's machine`);
  }
  return `Missed: ${parts.join('; ')}.`;
}

export const auditWritePart: BenchPart = {
  name: 'auditWrite',
  description: `The audit write path at one party (goal 3): ${writers} concurrent writers, chained and verified, against plain inserts of the same rows into the same table (no lock, no chain); one transaction per entry (the lock held to commit) against group commit (createAuditWriter).`,
  async run({ scale, log }) {
    const total = Math.max(2_000, Math.round(20_000 * scale));
    const { plain, perRequest, groupCommit } = await measureAuditWrite({ total, writers, log });
    const met = groupCommit.entriesPerSecond >= goal.entriesPerSecond && groupCommit.entriesPerSecond >= goal.ofPlain * plain.entriesPerSecond;
    return [
      {
        name: 'group commit entries/s',
        value: groupCommit.entriesPerSecond,
        unit: 'entries/s',
        baseline: { name: 'plain inserts', value: plain.entriesPerSecond },
        goal: `≥ ${goal.entriesPerSecond.toLocaleString('en')}/s and ≥ ${goal.ofPlain}× plain`,
        met,
        note: [
          `${total.toLocaleString('en')} entries by plain inserts and by group commit, a quarter as many one per transaction, ${writers} writers; both chains verified (gap-free, every hash) after the run.`,
          met ? '' : missedBy(groupCommit.entriesPerSecond, plain.entriesPerSecond),
        ].join(' ').trim(),
      },
      { name: 'entry per request entries/s', value: perRequest.entriesPerSecond, unit: 'entries/s', baseline: { name: 'plain inserts', value: plain.entriesPerSecond } },
      // The audit cost of one operation: how long a request waits for its entry to be durable, after and before group commit.
      { name: 'audit wait per operation p50, group commit', value: groupCommit.p50, unit: 'ms', baseline: { name: 'entry per request p50', value: perRequest.p50 } },
      { name: 'audit wait per operation p99, group commit', value: groupCommit.p99, unit: 'ms', baseline: { name: 'entry per request p99', value: perRequest.p99 } },
      { name: 'audit wait p50, group commit, beside a plain insert', value: groupCommit.p50, unit: 'ms', baseline: { name: 'plain insert p50', value: plain.p50 } },
    ];
  },
};
