-- 0005 audit witnesses: the heads of the other parties' logs that an entry
-- records, as [{ "party", "seq", "hash" }]: at the gateway the head each node
-- answered with, at a node the gateway's head sent with the call. Null in
-- every entry written before (and in those with no witness), which then
-- hashes as it always did: see src/audit/auditEntry.ts. The table's grants and
-- append-only triggers cover the new column as they cover the others.
ALTER TABLE "audit"."entry" ADD COLUMN "witnesses" JSONB;
