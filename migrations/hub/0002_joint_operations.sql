-- 0002 joint operations (schema "hub"): operations, their status transitions,
-- members, linked alerts (pointers to the owners' records, never copies), the
-- owners' release tiers, the append-only timeline, and each operation's update
-- feed (operationUpdates).
--
-- Tables and indexes match prisma/hub/schema.prisma (checked by
-- test/migrations.test.ts); the triggers and grants below are beyond Prisma.

CREATE SCHEMA IF NOT EXISTS "hub";

CREATE TYPE "hub"."operation_status" AS ENUM ('PLANNED', 'ACTIVE', 'CLOSED', 'CANCELLED');
CREATE TYPE "hub"."operation_role" AS ENUM ('LIAISON', 'TEAM_LEAD', 'MEMBER', 'ANALYST');
CREATE TYPE "hub"."timeline_entry_kind" AS ENUM ('BRIEFING', 'ACTION', 'SEIZURE', 'ARREST', 'NOTE', 'DECISION');
CREATE TYPE "hub"."operation_update_kind" AS ENUM ('STATUS_CHANGED', 'MEMBER_ADDED', 'MEMBER_REMOVED', 'ALERT_LINKED', 'TIMELINE_ENTRY_ADDED', 'RELEASE_SET');

CREATE TABLE "hub"."joint_operation" (
    "id" UUID NOT NULL,
    "code" VARCHAR(20) NOT NULL,
    "code_name" VARCHAR(120) NOT NULL,
    "objective" VARCHAR(4000) NOT NULL,
    "legal_basis" VARCHAR(2000) NOT NULL,
    "lead_agency" VARCHAR(2) NOT NULL,
    "participating_agencies" VARCHAR(2)[],
    "border_crossings" VARCHAR(40)[],
    "green_border_sectors" VARCHAR(120)[],
    "municipalities" VARCHAR(120)[],
    "planned_start" TIMESTAMPTZ(3) NOT NULL,
    "planned_end" TIMESTAMPTZ(3) NOT NULL,
    "actual_start" TIMESTAMPTZ(3),
    "actual_end" TIMESTAMPTZ(3),
    "status" "hub"."operation_status" NOT NULL DEFAULT 'PLANNED',
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_update_seq" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "joint_operation_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "hub"."operation_transition" (
    "id" UUID NOT NULL,
    "operation_id" UUID NOT NULL,
    "from_status" "hub"."operation_status",
    "to_status" "hub"."operation_status" NOT NULL,
    "actor_sub" VARCHAR(200) NOT NULL,
    "actor_agency" VARCHAR(2) NOT NULL,
    "actor_unit" VARCHAR(40) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "reason" VARCHAR(2000),

    CONSTRAINT "operation_transition_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "hub"."operation_member" (
    "id" UUID NOT NULL,
    "operation_id" UUID NOT NULL,
    "officer_sub" VARCHAR(200) NOT NULL,
    "agency" VARCHAR(2) NOT NULL,
    "unit_code" VARCHAR(40) NOT NULL,
    "role" "hub"."operation_role" NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_until" TIMESTAMPTZ(3),
    "added_by" VARCHAR(200) NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removed_at" TIMESTAMPTZ(3),
    "removed_by" VARCHAR(200),

    CONSTRAINT "operation_member_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "hub"."operation_alert_link" (
    "operation_id" UUID NOT NULL,
    "alert_agency" VARCHAR(2) NOT NULL,
    "alert_id" UUID NOT NULL,
    "linked_by" VARCHAR(200) NOT NULL,
    "linked_by_agency" VARCHAR(2) NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operation_alert_link_pkey" PRIMARY KEY ("operation_id","alert_agency","alert_id")
);

CREATE TABLE "hub"."operation_release" (
    "operation_id" UUID NOT NULL,
    "owner_agency" VARCHAR(2) NOT NULL,
    "tier" VARCHAR(8) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "set_by" VARCHAR(200) NOT NULL,
    "set_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "operation_release_pkey" PRIMARY KEY ("operation_id","owner_agency")
);

CREATE TABLE "hub"."timeline_entry" (
    "id" UUID NOT NULL,
    "operation_id" UUID NOT NULL,
    "kind" "hub"."timeline_entry_kind" NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "text" VARCHAR(4000) NOT NULL,
    "persons_arrested" INTEGER,
    "alert_ids" VARCHAR(80)[],
    "corrects_id" UUID,
    "author_sub" VARCHAR(200) NOT NULL,
    "author_agency" VARCHAR(2) NOT NULL,
    "author_unit" VARCHAR(40) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "timeline_entry_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "hub"."operation_update" (
    "operation_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" "hub"."operation_update_kind" NOT NULL,
    "subject_id" VARCHAR(80) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "operation_update_pkey" PRIMARY KEY ("operation_id","seq")
);

CREATE UNIQUE INDEX "joint_operation_code_key" ON "hub"."joint_operation"("code");

CREATE INDEX "joint_operation_status_planned_start_idx" ON "hub"."joint_operation"("status", "planned_start");

CREATE INDEX "operation_transition_operation_id_at_idx" ON "hub"."operation_transition"("operation_id", "at");

CREATE INDEX "operation_member_operation_id_agency_officer_sub_idx" ON "hub"."operation_member"("operation_id", "agency", "officer_sub");

CREATE INDEX "operation_member_agency_officer_sub_idx" ON "hub"."operation_member"("agency", "officer_sub");

CREATE INDEX "timeline_entry_operation_id_recorded_at_idx" ON "hub"."timeline_entry"("operation_id", "recorded_at");

ALTER TABLE "hub"."operation_transition" ADD CONSTRAINT "operation_transition_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "hub"."joint_operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "hub"."operation_member" ADD CONSTRAINT "operation_member_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "hub"."joint_operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "hub"."operation_alert_link" ADD CONSTRAINT "operation_alert_link_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "hub"."joint_operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "hub"."operation_release" ADD CONSTRAINT "operation_release_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "hub"."joint_operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "hub"."timeline_entry" ADD CONSTRAINT "timeline_entry_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "hub"."joint_operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "hub"."timeline_entry" ADD CONSTRAINT "timeline_entry_corrects_id_fkey" FOREIGN KEY ("corrects_id") REFERENCES "hub"."timeline_entry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "hub"."operation_update" ADD CONSTRAINT "operation_update_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "hub"."joint_operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The record of what happened is never rewritten: timeline entries, status
-- transitions and the update feed refuse UPDATE, DELETE and TRUNCATE, for the
-- owner too (as the audit log does); a correction is a new entry.
CREATE FUNCTION "hub"."refuse_change"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.% is append-only', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Correct a timeline entry with a new entry that references it.';
END;
$$;

CREATE TRIGGER "timeline_entry_append_only" BEFORE UPDATE OR DELETE ON "hub"."timeline_entry"
    FOR EACH STATEMENT EXECUTE FUNCTION "hub"."refuse_change"();
CREATE TRIGGER "timeline_entry_no_truncate" BEFORE TRUNCATE ON "hub"."timeline_entry"
    FOR EACH STATEMENT EXECUTE FUNCTION "hub"."refuse_change"();
CREATE TRIGGER "operation_transition_append_only" BEFORE UPDATE OR DELETE ON "hub"."operation_transition"
    FOR EACH STATEMENT EXECUTE FUNCTION "hub"."refuse_change"();
CREATE TRIGGER "operation_transition_no_truncate" BEFORE TRUNCATE ON "hub"."operation_transition"
    FOR EACH STATEMENT EXECUTE FUNCTION "hub"."refuse_change"();
CREATE TRIGGER "operation_update_append_only" BEFORE UPDATE OR DELETE ON "hub"."operation_update"
    FOR EACH STATEMENT EXECUTE FUNCTION "hub"."refuse_change"();
CREATE TRIGGER "operation_update_no_truncate" BEFORE TRUNCATE ON "hub"."operation_update"
    FOR EACH STATEMENT EXECUTE FUNCTION "hub"."refuse_change"();

GRANT USAGE ON SCHEMA "hub" TO "hub_app";
-- Operations, members and releases change (status, removal); links are added, never removed.
GRANT SELECT, INSERT, UPDATE ON "hub"."joint_operation", "hub"."operation_member", "hub"."operation_release" TO "hub_app";
GRANT SELECT, INSERT ON "hub"."operation_alert_link", "hub"."operation_transition", "hub"."timeline_entry", "hub"."operation_update" TO "hub_app";
