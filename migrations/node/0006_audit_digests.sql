-- 0006 audit digests: no personal identifier in clear in the log, and what is
-- kept in clear erasable after the agreement's retention without a hole in the
-- chain (see src/audit/auditVariables.ts and src/audit/purgeClearVariables.ts).
--
-- `variables` now holds only what the schema declares may be kept in clear;
-- `digests` the keyed digests of the search terms and personal identifiers;
-- `variables_digest` the SHA-256 of the clear part, which an entry's hash
-- covers instead of the clear part itself (entries written before this
-- migration have it null and keep their former hash).
ALTER TABLE "audit"."entry" ADD COLUMN "variables_digest" VARCHAR(64),
                            ADD COLUMN "digests" JSONB;

-- "Who searched for this plate": digests @> '[{"digest": "…"}]'.
CREATE INDEX "entry_digests_idx" ON "audit"."entry" USING GIN ("digests" jsonb_path_ops);

-- Still append-only, with one exception: the erasure of the clear part of an
-- entry whose hash does not cover it, by audit.erase_clear_variables only.
-- The statement-level trigger refuses every UPDATE unless that function runs;
-- the row-level one refuses, even then, any change but setting `variables`
-- of such an entry to null. DELETE and TRUNCATE stay refused to everyone.
DROP TRIGGER "entry_append_only" ON "audit"."entry";
CREATE TRIGGER "entry_no_delete" BEFORE DELETE ON "audit"."entry"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"();

CREATE FUNCTION "audit"."refuse_update_but_erasure"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('hub.audit_erasure', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION '%.% is append-only', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Audit entries are never updated; the clear part of old entries is erased by audit.erase_clear_variables.';
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION "audit"."check_erasure"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- Compared as jsonb so that a column added later is covered too.
    IF OLD."variables_digest" IS NULL OR NEW."variables" IS NOT NULL
       OR (to_jsonb(NEW) - 'variables') IS DISTINCT FROM (to_jsonb(OLD) - 'variables') THEN
        RAISE EXCEPTION 'audit.entry %: only the clear variables of an entry whose hash covers their digest may be erased', OLD."seq"
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER "entry_append_only" BEFORE UPDATE ON "audit"."entry"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_update_but_erasure"();
CREATE TRIGGER "entry_erasure_only" BEFORE UPDATE ON "audit"."entry"
    FOR EACH ROW EXECUTE FUNCTION "audit"."check_erasure"();

-- Erases the clear variables of the entries dated before `before`; returns
-- the range and the number erased. SECURITY DEFINER: hub_app has no UPDATE
-- on the log, it may only call this. The caller records the erasure in the
-- chain in the same transaction (an ERASURE entry); `audit verify` fails on
-- an erased entry that no later ERASURE entry covers.
CREATE FUNCTION "audit"."erase_clear_variables"("before" TIMESTAMPTZ)
    RETURNS TABLE ("first_seq" BIGINT, "last_seq" BIGINT, "erased" BIGINT)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
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

REVOKE ALL ON FUNCTION "audit"."erase_clear_variables"(TIMESTAMPTZ) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "audit"."erase_clear_variables"(TIMESTAMPTZ) TO "hub_app";
