-- 0016 audit chain checks: the last result, per party, of the scheduled
-- verification of every party's log against what the other parties hold of
-- it (their copies of its checkpoints, the heads of it they witnessed), as
-- `audit verify --all` does (src/audit/checkAuditChains.ts). What the
-- auditors' console shows as the chains' state. One row per party, replaced
-- at each run. The table matches prisma/hub/schema.prisma (test/migrations.test.ts).

-- CreateTable
CREATE TABLE "hub"."audit_chain_check" (
    "party" VARCHAR(8) NOT NULL,
    "status" VARCHAR(11) NOT NULL,
    "entry_count" BIGINT,
    "first_bad_seq" BIGINT,
    "reason" TEXT,
    "witnesses" TEXT[],
    "checked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_chain_check_pkey" PRIMARY KEY ("party")
);

GRANT SELECT, INSERT, UPDATE ON "hub"."audit_chain_check" TO "hub_app";
