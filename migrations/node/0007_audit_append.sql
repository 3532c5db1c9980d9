-- Audit append in one statement: node migration 0007 and hub migration 0008
-- are this one file (hub/0008 links here), as the audit schema is shared.
-- See src/audit/appendAuditEntry.ts.
--
-- Appending used to take five round trips (begin, lock, head, insert,
-- commit). Here one call takes the log's lock, reads the head, and inserts
-- the entries the caller chained on the head it expected, if that is the
-- head; otherwise it inserts nothing and answers with the head and the
-- clock, for the caller to chain again. Outside a transaction the call is
-- its own transaction: lock, insert and commit in one round trip.
--
-- Nothing about an entry changes: the caller computes its hash as before
-- (src/audit/auditEntry.ts), so `audit verify` reads old and new entries
-- alike. What the function adds is the check that the entries continue the
-- head, under the lock: sequence, previous hash, and a time never before
-- the head's and, unless the caller stamps a known time (tests, tools),
-- within `max_skew_ms` of the database's clock.
CREATE FUNCTION "audit"."append_entries"("entries" JSON, "max_skew_ms" INTEGER)
    RETURNS TABLE ("appended" BOOLEAN, "head_seq" BIGINT, "head_hash" VARCHAR, "head_at" TIMESTAMPTZ, "clock" TIMESTAMPTZ)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    head RECORD;
    first_entry JSON := "entries" -> 0;
    last_entry JSON := "entries" -> (json_array_length(coalesce("entries", '[]')) - 1);
    stamped TIMESTAMPTZ;
    now_ms TIMESTAMPTZ;
BEGIN
    -- The transaction-level advisory lock every append to the log takes
    -- (advisory locks are per database; the migration runner uses
    -- 7350221004), held until commit.
    PERFORM pg_advisory_xact_lock(7350221003);
    -- A command that starts after the lock is granted: in READ COMMITTED it
    -- sees the entry the previous holder committed.
    SELECT e."seq", e."hash", e."at" INTO head FROM "audit"."entry" e ORDER BY e."seq" DESC LIMIT 1;
    now_ms := greatest(date_trunc('milliseconds', clock_timestamp()), head."at");
    IF first_entry IS NOT NULL THEN
        stamped := (first_entry ->> 'at')::timestamptz;
        IF (first_entry ->> 'seq')::bigint = coalesce(head."seq", 0) + 1
           AND (first_entry ->> 'prev_hash') = coalesce(head."hash", repeat('0', 64))
           AND stamped >= coalesce(head."at", '-infinity')
           AND ("max_skew_ms" IS NULL OR stamped BETWEEN now_ms - make_interval(secs => "max_skew_ms" / 1000.0)
                                                     AND now_ms + make_interval(secs => "max_skew_ms" / 1000.0)) THEN
            INSERT INTO "audit"."entry" ("seq", "at", "party", "kind", "actor_sub", "actor_agency", "actor_unit", "actor_roles",
                                         "purpose", "case_reference", "operation", "document_hash", "variables", "records",
                                         "outcome", "error_code", "client_address", "trace_id", "details", "prev_hash", "hash",
                                         "witnesses", "variables_digest", "digests")
            SELECT r."seq", r."at", r."party", r."kind", r."actor_sub", r."actor_agency", r."actor_unit", r."actor_roles",
                   r."purpose", r."case_reference", r."operation", r."document_hash", r."variables", r."records",
                   r."outcome", r."error_code", r."client_address", r."trace_id", r."details", r."prev_hash", r."hash",
                   r."witnesses", r."variables_digest", r."digests"
              FROM json_populate_recordset(NULL::"audit"."entry", "entries") AS r;
            RETURN QUERY SELECT true, (last_entry ->> 'seq')::bigint, (last_entry ->> 'hash')::varchar,
                                (last_entry ->> 'at')::timestamptz, now_ms;
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT false, head."seq", head."hash"::varchar, head."at", now_ms;
END;
$$;

REVOKE ALL ON FUNCTION "audit"."append_entries"(JSON, INTEGER) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "audit"."append_entries"(JSON, INTEGER) TO "hub_app";
