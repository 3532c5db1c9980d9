-- 0001 audit: the hub database's append-only, hash-chained audit log (schema
-- "audit"): the gateway's consultation log, its signed checkpoints and the
-- checkpoints the agencies sent it, and the application role that may only add
-- to them. The same tables as every node's log (migrations/node/0003_audit.sql,
-- prisma/audit.prisma): the hub database has only these and the joint
-- operations (0002), none of an agency's tables.
--
-- Tables and indexes match prisma/hub (checked by test/migrations.test.ts);
-- the triggers, the role and the grants below are beyond what Prisma models.

CREATE SCHEMA IF NOT EXISTS "audit";

-- One entry per consultation, disclosure, denial or change. `seq` is gapless
-- and `hash` = sha256(prev_hash || "\n" || canonical JSON of every other
-- column): see src/audit/auditEntry.ts.
CREATE TABLE "audit"."entry" (
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "party" VARCHAR(8) NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "actor_sub" VARCHAR(200),
    "actor_agency" VARCHAR(2),
    "actor_unit" VARCHAR(40),
    "actor_roles" VARCHAR(20)[],
    "purpose" VARCHAR(40),
    "case_reference" VARCHAR(100),
    "operation" VARCHAR(200),
    "document_hash" VARCHAR(64),
    "variables" JSONB,
    "records" JSONB NOT NULL,
    "outcome" VARCHAR(20) NOT NULL,
    "error_code" VARCHAR(60),
    "client_address" VARCHAR(64),
    "trace_id" VARCHAR(32),
    "details" JSONB,
    "prev_hash" VARCHAR(64) NOT NULL,
    "hash" VARCHAR(64) NOT NULL,

    CONSTRAINT "entry_pkey" PRIMARY KEY ("seq")
);

CREATE UNIQUE INDEX "entry_hash_key" ON "audit"."entry"("hash");
-- What auditors filter on, each with the time range they nearly always give.
CREATE INDEX "entry_at_idx" ON "audit"."entry"("at");
CREATE INDEX "entry_actor_sub_at_idx" ON "audit"."entry"("actor_sub", "at");
CREATE INDEX "entry_actor_agency_at_idx" ON "audit"."entry"("actor_agency", "at");
CREATE INDEX "entry_purpose_at_idx" ON "audit"."entry"("purpose", "at");
CREATE INDEX "entry_case_reference_idx" ON "audit"."entry"("case_reference");
CREATE INDEX "entry_trace_id_idx" ON "audit"."entry"("trace_id");
-- "Every disclosure of one record": records @> '[{"agency": "XK", "id": "…"}]'.
CREATE INDEX "entry_records_idx" ON "audit"."entry" USING GIN ("records" jsonb_path_ops);

-- The party's own checkpoints: the head of its log, signed with its key.
CREATE TABLE "audit"."checkpoint" (
    "seq" BIGINT NOT NULL,
    "head_hash" VARCHAR(64) NOT NULL,
    "entry_count" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "jws" TEXT NOT NULL,

    CONSTRAINT "checkpoint_pkey" PRIMARY KEY ("seq")
);

-- Checkpoints other parties signed and sent: the copy that makes a rewrite of
-- their history visible.
CREATE TABLE "audit"."peer_checkpoint" (
    "party" VARCHAR(8) NOT NULL,
    "seq" BIGINT NOT NULL,
    "head_hash" VARCHAR(64) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "jws" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "peer_checkpoint_pkey" PRIMARY KEY ("party","seq")
);

-- Append-only for everyone, the owner and superusers included: privileges do
-- not bind the owner, triggers do. Statement-level, so that even an UPDATE or
-- DELETE that matches no row is refused. Only a superuser who disables the
-- triggers (or sets session_replication_role) gets past, and the hash chain
-- and the partners' checkpoints are there for that case.
CREATE FUNCTION "audit"."refuse_change"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.% is append-only', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit entries and checkpoints are never updated or deleted.';
END;
$$;

CREATE TRIGGER "entry_append_only" BEFORE UPDATE OR DELETE ON "audit"."entry"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"();
CREATE TRIGGER "entry_no_truncate" BEFORE TRUNCATE ON "audit"."entry"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"();
CREATE TRIGGER "checkpoint_append_only" BEFORE UPDATE OR DELETE ON "audit"."checkpoint"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"();
CREATE TRIGGER "checkpoint_no_truncate" BEFORE TRUNCATE ON "audit"."checkpoint"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"();
CREATE TRIGGER "peer_checkpoint_append_only" BEFORE UPDATE OR DELETE ON "audit"."peer_checkpoint"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"();
CREATE TRIGGER "peer_checkpoint_no_truncate" BEFORE TRUNCATE ON "audit"."peer_checkpoint"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"();

-- The role the application runs as.
-- Roles belong to the cluster, not the database: it may already exist (another
-- party's database on the same server, a database cloned from a template), and
-- another database may be creating it at this very moment.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hub_app') THEN
        CREATE ROLE "hub_app" NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END;
$$;

GRANT USAGE ON SCHEMA "audit" TO "hub_app";
-- The log: read and append, nothing else (not even TRUNCATE or REFERENCES).
GRANT SELECT, INSERT ON "audit"."entry", "audit"."checkpoint", "audit"."peer_checkpoint" TO "hub_app";
ALTER DEFAULT PRIVILEGES IN SCHEMA "audit" GRANT SELECT, INSERT ON TABLES TO "hub_app";
