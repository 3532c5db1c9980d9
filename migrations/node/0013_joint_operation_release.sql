-- 0013 joint-operation releases at the owner's node: the owner's decision, per
-- operation, on the tier its alerts linked to the operation reach the
-- operation's other agencies at (its consent grants under JOINT_OPERATION with
-- the operation's code), with the hub's revision number of the decision, so
-- that a decision sent again (a lost answer, a retry) is answered, not applied
-- twice; and when the node heard that the operation closed and ended it.
-- The index lets a closing operation's grants be found without a scan.
--
-- Tables and indexes match prisma/node/schema.prisma (test/migrations.test.ts).

CREATE TABLE "node"."joint_operation_release" (
    "operation" VARCHAR(100) NOT NULL,
    "revision" INTEGER NOT NULL,
    "tier" "node"."tier" NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "alert_ids" UUID[],
    "grantee_agencies" VARCHAR(2)[],
    "set_by" VARCHAR(200) NOT NULL,
    "set_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "joint_operation_release_pkey" PRIMARY KEY ("operation")
);

CREATE INDEX "consent_grant_purpose_case_reference_idx" ON "node"."consent_grant"("purpose", "case_reference");

GRANT SELECT, INSERT, UPDATE ON "node"."joint_operation_release" TO "hub_app";
