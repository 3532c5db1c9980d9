-- 0023 statistics rollup cost: what keeping the joint picture's rollups
-- (migrations 0012, 0018) cost a createAlert, cut; and two kinds of change
-- their triggers missed (issue 22).
--
-- The profile (bench/profileRollups.ts; track_functions and auto_explain on
-- the picture bench's data): of the ~4 ms the rollups added to a createAlert,
-- node.stat_refresh took ~3.7 ms, of which its three statements executed in
-- well under 1 ms; the rest was planning. Its statements take the alerts'
-- ids as a parameter, and PostgreSQL's plan cache, comparing the generic plan
-- (costed for an array of unknown length) with a custom one (costed for the one
-- id of a createAlert), planned a custom plan again at every call. The plans
-- are the same either way (an index lookup per id, the alert's items by their
-- alert_id), so the function now keeps the generic plan.
--
-- node.stat_place was called, not inlined: it was declared IMMUTABLE while its
-- body casts an enum to text (a STABLE function), and PostgreSQL inlines no SQL
-- function whose body is more volatile than declared. STABLE is what it is.

ALTER FUNCTION "node"."stat_refresh"(UUID[]) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION "node"."stat_place"("node"."location_kind", "node"."border_crossing_point", DECIMAL) STABLE;

-- An update marked only the rows' new alert: a firearm, a lot, an explosive or
-- a rule moved to another alert (or an alert given a new id, which its foreign
-- keys cascade to its items) left the old alert counted as it was. An update now
-- marks the alert before and after.
CREATE OR REPLACE FUNCTION "node"."stat_mark_alert"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO "node"."stat_pending" ("txid", "alert_id")
    SELECT pg_current_xact_id()::text::bigint, "id" FROM (SELECT "id" FROM "changed" UNION SELECT "id" FROM "before") AS t ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO "node"."stat_pending" ("txid", "alert_id")
    SELECT DISTINCT pg_current_xact_id()::text::bigint, "id" FROM "changed" ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION "node"."stat_mark_item"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO "node"."stat_pending" ("txid", "alert_id")
    SELECT pg_current_xact_id()::text::bigint, "alert_id" FROM (SELECT "alert_id" FROM "changed" UNION SELECT "alert_id" FROM "before") AS t
    ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO "node"."stat_pending" ("txid", "alert_id")
    SELECT DISTINCT pg_current_xact_id()::text::bigint, "alert_id" FROM "changed" ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER "stat_alert_update" ON "node"."alert";
CREATE TRIGGER "stat_alert_update" AFTER UPDATE ON "node"."alert"
    REFERENCING OLD TABLE AS "before" NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_alert"();
DROP TRIGGER "stat_firearm_update" ON "node"."firearm";
CREATE TRIGGER "stat_firearm_update" AFTER UPDATE ON "node"."firearm"
    REFERENCING OLD TABLE AS "before" NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
DROP TRIGGER "stat_ammunition_update" ON "node"."ammunition";
CREATE TRIGGER "stat_ammunition_update" AFTER UPDATE ON "node"."ammunition"
    REFERENCING OLD TABLE AS "before" NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
DROP TRIGGER "stat_explosive_update" ON "node"."explosive";
CREATE TRIGGER "stat_explosive_update" AFTER UPDATE ON "node"."explosive"
    REFERENCING OLD TABLE AS "before" NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
DROP TRIGGER "stat_sharing_rule_update" ON "node"."sharing_rule";
CREATE TRIGGER "stat_sharing_rule_update" AFTER UPDATE ON "node"."sharing_rule"
    REFERENCING OLD TABLE AS "before" NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();

-- An alert's withheld_from lists agencies of the node's directory (node.agency):
-- an H2 alert is withheld from every agency no rule names above NONE, so an
-- agency joining the directory (a new party configured) was missing from the
-- lists of the H2 alerts already counted, and its analysts would have been
-- given statistics counting alerts withheld from them. A change of the
-- directory's codes now marks every H2 alert and every alert with a rule naming
-- a code that came or went. (registerAgencies upserts the directory at every
-- start: a statement that changes no code marks nothing.)
CREATE FUNCTION "node"."stat_mark_agency"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO "node"."stat_pending" ("txid", "alert_id")
    SELECT pg_current_xact_id()::text::bigint, a."id"
      FROM "node"."alert" a
     WHERE (EXISTS (SELECT "code" FROM "changed" EXCEPT SELECT "code" FROM "before")
            OR EXISTS (SELECT "code" FROM "before" EXCEPT SELECT "code" FROM "changed"))
       AND (a."handling_code" = 'H2'
            OR EXISTS (SELECT 1 FROM "node"."sharing_rule" r
                        WHERE r."alert_id" = a."id" AND r."partner_agency" IN (SELECT "code" FROM "changed" UNION SELECT "code" FROM "before")))
    ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO "node"."stat_pending" ("txid", "alert_id")
    SELECT pg_current_xact_id()::text::bigint, a."id"
      FROM "node"."alert" a
     WHERE EXISTS (SELECT 1 FROM "changed")
       AND (a."handling_code" = 'H2'
            OR EXISTS (SELECT 1 FROM "node"."sharing_rule" r WHERE r."alert_id" = a."id" AND r."partner_agency" IN (SELECT "code" FROM "changed")))
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "stat_agency_insert" AFTER INSERT ON "node"."agency"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_agency"();
CREATE TRIGGER "stat_agency_update" AFTER UPDATE ON "node"."agency"
    REFERENCING OLD TABLE AS "before" NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_agency"();
CREATE TRIGGER "stat_agency_delete" AFTER DELETE ON "node"."agency"
    REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_agency"();

-- Alerts counted before this migration with a directory that has grown since: counted again.
SELECT "node"."stat_refresh"(coalesce(array_agg("id"), '{}')) FROM "node"."alert" WHERE "handling_code" = 'H2';
