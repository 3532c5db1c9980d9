-- 0010 audit: one join key per operation, the erasure's floor, and the
-- erasure's switch bound to its function. Node migration 0010 and hub
-- migration 0009 are this one file (hub/0009_audit_truth.sql links here), as
-- the audit schema is shared.
--
-- A correction that 0003_audit.sql cannot carry (an applied migration never
-- changes: its checksum is checked): its comment "The role the application
-- runs as (SET ROLE hub_app on its connections)" is no longer true. The
-- services log in as hub_app itself (`hub migrate` with APPLICATION_DB_PASSWORD
-- gives it a password, src/database/applicationLogin.ts), and refuse to start
-- on a connection that owns the log or is privileged. The grant of hub_app to
-- the migrating role that 0003 makes is harmless and kept: hub_app is a member
-- of no role, so it has nothing to SET ROLE to.

-- The hub's own id of the operation an entry records (src/audit/auditCollector.ts):
-- the gateway gives every operation one, sends it to the nodes with every call
-- (x-hub-operation-id), and each party writes it into every entry the
-- operation causes, so a consultation is joined to its disclosures exactly.
-- Null in every entry written before, which then hashes as it always did (the
-- hash covers the column only when it is not null: src/audit/entryColumns.ts).
ALTER TABLE "audit"."entry" ADD COLUMN "operation_id" VARCHAR(64);
CREATE INDEX "entry_operation_id_idx" ON "audit"."entry"("operation_id");

-- The append of 0007, now inserting every column the table has, in table
-- order (json_populate_recordset gives the row type's columns), so that a
-- column added later needs no new version of this function.
CREATE OR REPLACE FUNCTION "audit"."append_entries"("entries" JSON, "max_skew_ms" INTEGER)
    RETURNS TABLE ("appended" BOOLEAN, "head_seq" BIGINT, "head_hash" VARCHAR, "head_at" TIMESTAMPTZ, "clock" TIMESTAMPTZ)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    head RECORD;
    first_entry JSON := "entries" -> 0;
    last_entry JSON := "entries" -> (json_array_length(coalesce("entries", '[]')) - 1);
    stamped TIMESTAMPTZ;
    now_ms TIMESTAMPTZ;
BEGIN
    PERFORM pg_advisory_xact_lock(7350221003);
    SELECT e."seq", e."hash", e."at" INTO head FROM "audit"."entry" e ORDER BY e."seq" DESC LIMIT 1;
    now_ms := greatest(date_trunc('milliseconds', clock_timestamp()), head."at");
    IF first_entry IS NOT NULL THEN
        stamped := (first_entry ->> 'at')::timestamptz;
        IF (first_entry ->> 'seq')::bigint = coalesce(head."seq", 0) + 1
           AND (first_entry ->> 'prev_hash') = coalesce(head."hash", repeat('0', 64))
           AND stamped >= coalesce(head."at", '-infinity')
           AND ("max_skew_ms" IS NULL OR stamped BETWEEN now_ms - make_interval(secs => "max_skew_ms" / 1000.0)
                                                     AND now_ms + make_interval(secs => "max_skew_ms" / 1000.0)) THEN
            INSERT INTO "audit"."entry" SELECT r.* FROM json_populate_recordset(NULL::"audit"."entry", "entries") AS r;
            RETURN QUERY SELECT true, (last_entry ->> 'seq')::bigint, (last_entry ->> 'hash')::varchar,
                                (last_entry ->> 'at')::timestamptz, now_ms;
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT false, head."seq", head."hash"::varchar, head."at", now_ms;
END;
$$;

-- The erasure keeps the agreement's retention as a floor: a cut-off later
-- than now() minus audit.clearRetentionDays of contracts/exchange-agreement.json
-- (90 days; test/auditErasure.test.ts fails if the two part) is refused,
-- whoever calls. `audit verify` checks the same floor against the time of
-- every ERASURE entry (src/audit/verifyAuditChain.ts).
CREATE OR REPLACE FUNCTION "audit"."erase_clear_variables"("before" TIMESTAMPTZ)
    RETURNS TABLE ("first_seq" BIGINT, "last_seq" BIGINT, "erased" BIGINT)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF "before" IS NULL OR "before" > now() - interval '90 days' THEN
        RAISE EXCEPTION 'audit.erase_clear_variables: the cut-off % is within the retention of 90 days (exchange agreement, audit.clearRetentionDays): nothing is erased', "before"
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Entries keep their clear variables for 90 days; give a cut-off at or before now() - 90 days.';
    END IF;
    PERFORM set_config('hub.audit_erasure', 'on', true);
    RETURN QUERY
        WITH done AS (
            UPDATE "audit"."entry" SET "variables" = NULL
             WHERE "at" < "before" AND "variables" IS NOT NULL AND "variables_digest" IS NOT NULL
         RETURNING "seq")
        SELECT min(done."seq"), max(done."seq"), count(*) FROM done;
    PERFORM set_config('hub.audit_erasure', '', true);
END;
$$;

-- The session switch hub.audit_erasure only lets an UPDATE statement start
-- (the statement-level trigger of 0006 refuses every other); anyone may set
-- it. Each row the statement touches is now refused unless the statement runs
-- inside audit.erase_clear_variables, called as a statement of its own (the
-- outermost frame of the row trigger's call stack), and only sets `variables`
-- of an entry whose hash covers their digest to null. What only `audit verify` catches: a superuser
-- (or the log's owner) who disables the triggers, or replaces this function or
-- the triggers; verification fails on an erased entry that no ERASURE entry
-- covers, or that was younger than the retention when it was erased.
CREATE OR REPLACE FUNCTION "audit"."check_erasure"() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    stack TEXT;
BEGIN
    GET DIAGNOSTICS stack = PG_CONTEXT;
    -- The call stack, innermost first: this function, the UPDATE (its text may span lines), and last the
    -- outermost frame, which must be the erasure function itself, called as a statement of its own.
    IF stack !~ '\nPL/pgSQL function audit\.erase_clear_variables\(timestamp with time zone\) line [0-9]+ at RETURN QUERY$' THEN
        RAISE EXCEPTION 'audit.entry %: the clear variables are erased by audit.erase_clear_variables only', OLD."seq"
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Compared as jsonb so that a column added later is covered too.
    IF OLD."variables_digest" IS NULL OR NEW."variables" IS NOT NULL
       OR (to_jsonb(NEW) - 'variables') IS DISTINCT FROM (to_jsonb(OLD) - 'variables') THEN
        RAISE EXCEPTION 'audit.entry %: only the clear variables of an entry whose hash covers their digest may be erased', OLD."seq"
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
