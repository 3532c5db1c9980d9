-- 0007 conflicts between checkpoints (hub database): a party presented a
-- different head for an entry already checkpointed. Kept for good, as the
-- evidence that a party's log was rewritten; append-only like the log. In the
-- hub schema: the audit schema is the same in every party's database.
--
-- The table and its indexes match prisma/hub/schema.prisma (checked by
-- test/migrations.test.ts); the triggers and grants are beyond Prisma.
-- The job queue of the checkpoint schedule (graphile-worker's own schema) is
-- installed by `hub migrate` after these files: see src/database/jobQueue.ts.

-- CreateTable
CREATE TABLE "hub"."checkpoint_conflict" (
    "id" BIGSERIAL NOT NULL,
    "party" VARCHAR(8) NOT NULL,
    "seq" BIGINT NOT NULL,
    "kept_head_hash" VARCHAR(64) NOT NULL,
    "received_head_hash" VARCHAR(64) NOT NULL,
    "received_jws" TEXT,
    "detected_by" VARCHAR(8) NOT NULL,
    "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkpoint_conflict_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "checkpoint_conflict_detected_at_idx" ON "hub"."checkpoint_conflict"("detected_at");

-- CreateIndex
CREATE UNIQUE INDEX "checkpoint_conflict_party_seq_received_head_hash_detected_b_key" ON "hub"."checkpoint_conflict"("party", "seq", "received_head_hash", "detected_by");

CREATE TRIGGER "checkpoint_conflict_append_only" BEFORE UPDATE OR DELETE ON "hub"."checkpoint_conflict"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"();
CREATE TRIGGER "checkpoint_conflict_no_truncate" BEFORE TRUNCATE ON "hub"."checkpoint_conflict"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"();

GRANT SELECT, INSERT ON "hub"."checkpoint_conflict" TO "hub_app";
GRANT USAGE ON SEQUENCE "hub"."checkpoint_conflict_id_seq" TO "hub_app";
