import { isAuditWitness, type AuditDatabase, type AuditWitness } from './auditEntry.ts';
import { toSeq } from './entryColumns.ts';
import type { AuditHead } from './appendAuditEntry.ts';

/**
 * Witnesses: each party's log records the heads of the others' as they grow,
 * so that a party cannot delete the tail of its log (or rewrite it) after its
 * last exchanged checkpoint without contradicting what its peers recorded.
 * The heads ride on the calls the parties make anyway, never on a call of
 * their own: a node's answer carries the entry it wrote for the request
 * (`extensions.auditHead`), and the gateway's calls carry the last entry its
 * log committed ({@link auditHeadHeader}).
 */

/** Member of a node's response `extensions` with the node's head after its entry for the request. */
export const auditHeadExtension = 'auditHead';

/** Header of a gateway → node call with the gateway's last committed entry, as `<seq>:<hash>`. */
export const auditHeadHeader = 'x-hub-audit-head';

/** The value of {@link auditHeadHeader} for a head. */
export const formatAuditHeadHeader = (head: AuditHead): string => `${head.seq}:${head.hash}`;

/**
 * The head a {@link auditHeadHeader} names, or null when the value is not
 * exactly `<seq>:<64 lowercase hex>` with 1 ≤ seq ≤ 2^53 − 1. Nothing is
 * trimmed or repaired: a witness is evidence, and evidence is taken as sent
 * or not at all.
 */
export function parseAuditHeadHeader(value: string | null | undefined): AuditHead | null {
  const match = value ? /^([1-9][0-9]{0,15}):([0-9a-f]{64})$/.exec(value) : null;
  if (!match) return null;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) ? { seq, hash: match[2]! } : null;
}

/** The head a node's answer reports for `party`, or null when it reports none or a malformed one, or another party's. */
export function reportedAuditHead(extensions: Record<string, unknown> | undefined, party: string): AuditWitness | null {
  const head = extensions?.[auditHeadExtension];
  return isAuditWitness(head) && head.party === party ? { party, seq: head.seq, hash: head.hash } : null;
}

/** The last entry a party's log committed, as this process knows it: what its next call tells the peers. */
export interface CommittedHead {
  /** Notes a committed entry; an older one than known is ignored (group commits finish in any order). */
  observe(entry: AuditHead): void;
  /** Null until this process has seen an entry committed. */
  latest(): AuditHead | null;
}

export function createCommittedHead(): CommittedHead {
  let head: AuditHead | null = null;
  return {
    observe(entry) {
      if (!head || entry.seq > head.seq) head = { seq: entry.seq, hash: entry.hash };
    },
    latest: () => head,
  };
}

/** A head of `party`'s log recorded in a peer's log: what the verifier compares with `party`'s chain. */
export interface WitnessReference {
  /** Whose log the head is of. */
  party: string;
  seq: number;
  hash: string;
  /** Whose log recorded it (GATEWAY, XK, …). */
  witness: string;
  /** The first entry of that log that recorded it. */
  witnessSeq: number;
}

/**
 * The heads of `party`'s log that the log in `db` witnessed, one per distinct
 * (seq, hash), in sequence order, with the first entry that recorded each.
 * One scan of the peer's log (a set-returning join over the entries that
 * carry witnesses); memory holds the distinct heads, at most one per entry of
 * `party`'s log.
 */
export async function readPeerWitnesses(db: AuditDatabase, party: string): Promise<WitnessReference[]> {
  const { rows } = await db.query<{ seq: string; hash: string; witness: string; witness_seq: string }>(
    `select (w->>'seq')::bigint as seq, w->>'hash' as hash, min(e.party) as witness, min(e.seq) as witness_seq
       from audit.entry e cross join lateral jsonb_array_elements(e.witnesses) as w
      where e.witnesses is not null and jsonb_typeof(e.witnesses) = 'array' and w->>'party' = $1
        and jsonb_typeof(w->'seq') = 'number' and w->>'seq' ~ '^[0-9]{1,15}$'
      group by 1, 2
      order by 1, min(e.seq)`,
    [party],
  );
  return rows.map((row) => ({ party, seq: toSeq(row.seq), hash: row.hash, witness: row.witness, witnessSeq: toSeq(row.witness_seq) }));
}
