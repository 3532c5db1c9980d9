import type { AuditTransaction } from './auditDatabase.ts';
import { toSeq } from './entryColumns.ts';
import type { CheckpointConflict } from './checkpointExchange.ts';

/** A conflict as the hub keeps it, with when it was recorded. */
export interface RecordedCheckpointConflict extends CheckpointConflict {
  detectedAt: Date;
}

/** What the hub's queries need of its database: raw SQL (the table is the hub database's only). */
type HubDatabase = Pick<AuditTransaction, '$queryRaw' | '$executeRaw'>;

/**
 * Records conflicts in the hub's append-only `hub.checkpoint_conflict`.
 * The same conflict found again (the rewritten party presents the same head
 * at every exchange) is recorded once per party that found it.
 */
export async function recordCheckpointConflicts(db: HubDatabase, conflicts: readonly CheckpointConflict[]): Promise<void> {
  for (const conflict of conflicts) {
    await db.$executeRaw`
      insert into hub.checkpoint_conflict (party, seq, kept_head_hash, received_head_hash, received_jws, detected_by)
      values (${conflict.party}, ${BigInt(conflict.seq)}, ${conflict.keptHeadHash}, ${conflict.receivedHeadHash},
              ${conflict.receivedJws ?? null}, ${conflict.detectedBy})
      on conflict (party, seq, received_head_hash, detected_by) do nothing`;
  }
}

/** Every conflict the hub recorded, newest first (there are few: each is an incident). */
export async function listCheckpointConflicts(db: HubDatabase, limit = 1_000): Promise<RecordedCheckpointConflict[]> {
  const rows = await db.$queryRaw<
    { party: string; seq: bigint; kept_head_hash: string; received_head_hash: string; detected_by: string; detected_at: Date }[]
  >`select party, seq, kept_head_hash, received_head_hash, detected_by, detected_at
      from hub.checkpoint_conflict order by detected_at desc, id desc limit ${limit}`;
  return rows.map((row) => ({
    party: row.party,
    seq: toSeq(row.seq),
    keptHeadHash: row.kept_head_hash,
    receivedHeadHash: row.received_head_hash,
    detectedBy: row.detected_by,
    detectedAt: row.detected_at,
  }));
}
