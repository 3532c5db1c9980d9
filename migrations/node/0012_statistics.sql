-- 0012 statistics: the rollups behind the joint picture (src/statistics/).
--
-- node.stat_alert holds, per alert, the cell it counts in (its period on each
-- grid and its value of every dimension the agreement can name, derived from
-- the alert and its firearms) and its measures; node.stat_cell is their sum
-- per grid, period and cell, the table every statistics request reads (a few
-- thousand rows a month, however many alerts). Both are kept in the
-- transaction of the change: every insert, update or delete of an alert, a
-- firearm, ammunition, an explosive or a sharing rule marks its alert, and at
-- commit (a deferred constraint trigger) node.stat_refresh takes the alerts'
-- old contributions out of stat_cell and puts their new ones in, once per
-- alert and transaction however many of its rows changed. A failure there
-- fails the commit: the rollup never disagrees with the records.
--
-- withheld_from lists the partners the owner withholds the alert from (a
-- sharing rule for them at NONE, or handling code H2 without a rule naming
-- them above NONE): the agreement's statistics.countWithheld decides whether
-- such records count in what a partner receives (the node's own agency may be
-- listed too, for an H2 record: its own officers' statistics ignore the list).

-- CreateTable
CREATE TABLE "node"."stat_alert" (
    "alert_id" UUID NOT NULL,
    "month" DATE NOT NULL,
    "week" DATE NOT NULL,
    "place" VARCHAR(40) NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "risk_level" VARCHAR(10) NOT NULL,
    "firearm_type" VARCHAR(20) NOT NULL,
    "eu_category" VARCHAR(15) NOT NULL,
    "converted" VARCHAR(3) NOT NULL,
    "printed_3d" VARCHAR(3) NOT NULL,
    "reactivated" VARCHAR(3) NOT NULL,
    "obliterated" VARCHAR(3) NOT NULL,
    "withheld_from" VARCHAR(200) NOT NULL,
    "firearms" INTEGER NOT NULL,
    "rounds" BIGINT NOT NULL,
    "explosives_kg" DECIMAL(16,3) NOT NULL,
    "threat" SMALLINT NOT NULL,
    "vulnerability" SMALLINT NOT NULL,
    "impact" SMALLINT NOT NULL,

    CONSTRAINT "stat_alert_pkey" PRIMARY KEY ("alert_id")
);

-- CreateTable
CREATE TABLE "node"."stat_cell" (
    "grid" VARCHAR(5) NOT NULL,
    "period" DATE NOT NULL,
    "place" VARCHAR(40) NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "risk_level" VARCHAR(10) NOT NULL,
    "firearm_type" VARCHAR(20) NOT NULL,
    "eu_category" VARCHAR(15) NOT NULL,
    "converted" VARCHAR(3) NOT NULL,
    "printed_3d" VARCHAR(3) NOT NULL,
    "reactivated" VARCHAR(3) NOT NULL,
    "obliterated" VARCHAR(3) NOT NULL,
    "withheld_from" VARCHAR(200) NOT NULL,
    "alerts" INTEGER NOT NULL,
    "firearms" INTEGER NOT NULL,
    "rounds" BIGINT NOT NULL,
    "explosives_kg" DECIMAL(16,3) NOT NULL,
    "threat" INTEGER NOT NULL,
    "vulnerability" INTEGER NOT NULL,
    "impact" INTEGER NOT NULL,

    CONSTRAINT "stat_cell_pkey" PRIMARY KEY ("grid","period","place","kind","risk_level","firearm_type","eu_category","converted","printed_3d","reactivated","obliterated","withheld_from")
);

CREATE TABLE "node"."stat_pending" (
    "txid" BIGINT NOT NULL,
    "alert_id" UUID NOT NULL,

    CONSTRAINT "stat_pending_pkey" PRIMARY KEY ("txid","alert_id")
);

CREATE TABLE "node"."stat_version" (
    "grid" VARCHAR(5) NOT NULL,
    "period" DATE NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "stat_version_pkey" PRIMARY KEY ("grid","period")
);

-- Green-border sectors by longitude, as src/domain/greenBorderSectors.ts draws them.
CREATE FUNCTION "node"."stat_place"("location_kind" "node"."location_kind", "border_crossing" "node"."border_crossing_point", "longitude" DECIMAL)
    RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN location_kind = 'BORDER_CROSSING_POINT' AND border_crossing IS NOT NULL THEN border_crossing::text
    WHEN location_kind = 'GREEN_BORDER' AND longitude < 21.15 THEN 'SECTOR_SHARR'
    WHEN location_kind = 'GREEN_BORDER' AND longitude < 21.45 THEN 'SECTOR_KACANIK'
    WHEN location_kind = 'GREEN_BORDER' THEN 'SECTOR_KARADAK'
    ELSE 'INLAND'
  END
$$;

-- Takes the alerts' contributions out of stat_cell and puts their current ones in.
CREATE FUNCTION "node"."stat_refresh"("ids" UUID[]) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
  "touched" DATE[];
  "added" DATE[];
BEGIN
  WITH "gone" AS (
    DELETE FROM "node"."stat_alert" WHERE "alert_id" = ANY("ids") RETURNING *
  ), "cells" AS (
    SELECT g.grid, CASE WHEN g.grid = 'MONTH' THEN s."month" ELSE s."week" END AS "period",
           s."place", s."kind", s."risk_level", s."firearm_type", s."eu_category", s."converted", s."printed_3d",
           s."reactivated", s."obliterated", s."withheld_from",
           count(*)::int AS "alerts", sum(s."firearms")::int AS "firearms", sum(s."rounds")::bigint AS "rounds",
           sum(s."explosives_kg") AS "explosives_kg", sum(s."threat")::int AS "threat",
           sum(s."vulnerability")::int AS "vulnerability", sum(s."impact")::int AS "impact"
      FROM "gone" s CROSS JOIN (VALUES ('MONTH'), ('WEEK')) AS g(grid)
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
  )
  , "taken" AS (
  UPDATE "node"."stat_cell" c
     SET "alerts" = c."alerts" - d."alerts", "firearms" = c."firearms" - d."firearms", "rounds" = c."rounds" - d."rounds",
         "explosives_kg" = c."explosives_kg" - d."explosives_kg", "threat" = c."threat" - d."threat",
         "vulnerability" = c."vulnerability" - d."vulnerability", "impact" = c."impact" - d."impact"
    FROM "cells" d
   WHERE (c."grid", c."period", c."place", c."kind", c."risk_level", c."firearm_type", c."eu_category", c."converted",
          c."printed_3d", c."reactivated", c."obliterated", c."withheld_from")
       = (d."grid", d."period", d."place", d."kind", d."risk_level", d."firearm_type", d."eu_category", d."converted",
          d."printed_3d", d."reactivated", d."obliterated", d."withheld_from")
  RETURNING 1)
  SELECT coalesce(array_agg("month") || array_agg("week"), '{}') INTO "touched" FROM "gone";

  WITH "fresh" AS (
    INSERT INTO "node"."stat_alert"
    SELECT a."id",
           date_trunc('month', a."occurred_at" AT TIME ZONE 'UTC')::date,
           date_trunc('week', a."occurred_at" AT TIME ZONE 'UTC')::date,
           "node"."stat_place"(a."location_kind", a."border_crossing", a."longitude"),
           a."kind"::text, a."risk_level"::text,
           CASE WHEN f."count" = 0 THEN 'NONE' WHEN f."types" = 1 THEN f."type" ELSE 'MIXED' END,
           CASE WHEN f."count" = 0 THEN 'NONE' WHEN f."a" THEN 'A' WHEN f."b" THEN 'B' WHEN f."c" THEN 'C' ELSE 'UNCLASSIFIED' END,
           CASE WHEN f."converted" THEN 'YES' ELSE 'NO' END,
           CASE WHEN f."printed" THEN 'YES' ELSE 'NO' END,
           CASE WHEN f."reactivated" THEN 'YES' ELSE 'NO' END,
           CASE WHEN f."obliterated" THEN 'YES' ELSE 'NO' END,
           coalesce((
             SELECT string_agg(p."code", ',' ORDER BY p."code")
               FROM "node"."agency" p
              WHERE (EXISTS (SELECT 1 FROM "node"."sharing_rule" r
                              WHERE r."alert_id" = a."id" AND r."partner_agency" = p."code" AND r."tier" = 'NONE')
                     OR (a."handling_code" = 'H2' AND NOT EXISTS (
                            SELECT 1 FROM "node"."sharing_rule" r
                             WHERE r."alert_id" = a."id" AND r."partner_agency" = p."code" AND r."tier" <> 'NONE')))
           ), ''),
           f."count",
           coalesce((SELECT sum(m."quantity") FROM "node"."ammunition" m WHERE m."alert_id" = a."id"), 0),
           coalesce((SELECT sum(CASE e."unit" WHEN 'KILOGRAM' THEN e."quantity" WHEN 'GRAM' THEN e."quantity" / 1000 ELSE 0 END)
                       FROM "node"."explosive" e WHERE e."alert_id" = a."id"), 0),
           a."risk_threat", a."risk_vulnerability", a."risk_impact"
      FROM "node"."alert" a
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS "count", count(DISTINCT x."type")::int AS "types", min(x."type"::text) AS "type",
               coalesce(bool_or(x."eu_category" = 'A'), false) AS "a", coalesce(bool_or(x."eu_category" = 'B'), false) AS "b",
               coalesce(bool_or(x."eu_category" = 'C'), false) AS "c",
               coalesce(bool_or(x."converted_gas_alarm"), false) AS "converted", coalesce(bool_or(x."printed_3d"), false) AS "printed",
               coalesce(bool_or(x."reactivated"), false) AS "reactivated", coalesce(bool_or(x."serial_obliterated"), false) AS "obliterated"
          FROM "node"."firearm" x WHERE x."alert_id" = a."id"
      ) f
     WHERE a."id" = ANY("ids")
    RETURNING *
  )
  , "put" AS (
  INSERT INTO "node"."stat_cell"
  SELECT g.grid, CASE WHEN g.grid = 'MONTH' THEN s."month" ELSE s."week" END,
         s."place", s."kind", s."risk_level", s."firearm_type", s."eu_category", s."converted", s."printed_3d",
         s."reactivated", s."obliterated", s."withheld_from",
         count(*)::int, sum(s."firearms")::int, sum(s."rounds")::bigint, sum(s."explosives_kg"),
         sum(s."threat")::int, sum(s."vulnerability")::int, sum(s."impact")::int
    FROM "fresh" s CROSS JOIN (VALUES ('MONTH'), ('WEEK')) AS g(grid)
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
  ON CONFLICT ("grid", "period", "place", "kind", "risk_level", "firearm_type", "eu_category", "converted", "printed_3d", "reactivated", "obliterated", "withheld_from")
  DO UPDATE SET "alerts" = "stat_cell"."alerts" + excluded."alerts", "firearms" = "stat_cell"."firearms" + excluded."firearms",
                "rounds" = "stat_cell"."rounds" + excluded."rounds", "explosives_kg" = "stat_cell"."explosives_kg" + excluded."explosives_kg",
                "threat" = "stat_cell"."threat" + excluded."threat", "vulnerability" = "stat_cell"."vulnerability" + excluded."vulnerability",
                "impact" = "stat_cell"."impact" + excluded."impact"
  RETURNING 1)
  SELECT coalesce(array_agg("month") || array_agg("week"), '{}') INTO "added" FROM "fresh";

  -- Months and weeks are told apart by the day: a week starts on a Monday, a month on the 1st (both, now and then).
  INSERT INTO "node"."stat_version" ("grid", "period", "version")
  SELECT DISTINCT g.grid, d."day", 1
    FROM unnest("touched" || "added") AS d("day")
    CROSS JOIN (VALUES ('MONTH'), ('WEEK')) AS g(grid)
   WHERE (g.grid = 'MONTH' AND extract(day FROM d."day") = 1) OR (g.grid = 'WEEK' AND extract(isodow FROM d."day") = 1)
  ON CONFLICT ("grid", "period") DO UPDATE SET "version" = "stat_version"."version" + 1;
END
$$;

-- The alerts a transaction changed wait in stat_pending (one row per alert and
-- transaction, whatever the number of its rows that changed); at commit the
-- first of their deferred triggers refreshes them all in one set-based call
-- and the others find nothing left to do. A bulk load of a million firearms
-- is one refresh, a createAlert one refresh of one alert.
-- Two functions, not one with dynamic SQL: a static statement keeps its plan for the session.
CREATE FUNCTION "node"."stat_mark_alert"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "node"."stat_pending" ("txid", "alert_id")
  SELECT DISTINCT pg_current_xact_id()::text::bigint, "id" FROM "changed" ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE FUNCTION "node"."stat_mark_item"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "node"."stat_pending" ("txid", "alert_id")
  SELECT DISTINCT pg_current_xact_id()::text::bigint, "alert_id" FROM "changed" ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE FUNCTION "node"."stat_flush"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  "ids" UUID[];
BEGIN
  WITH "mine" AS (
    DELETE FROM "node"."stat_pending" WHERE "txid" = pg_current_xact_id()::text::bigint RETURNING "alert_id"
  )
  SELECT array_agg("alert_id") INTO "ids" FROM "mine";
  IF "ids" IS NOT NULL THEN
    PERFORM "node"."stat_refresh"("ids");
  END IF;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "stat_pending_flush" AFTER INSERT ON "node"."stat_pending"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "node"."stat_flush"();

CREATE TRIGGER "stat_alert_insert" AFTER INSERT ON "node"."alert"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_alert"();
CREATE TRIGGER "stat_alert_update" AFTER UPDATE ON "node"."alert"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_alert"();
CREATE TRIGGER "stat_alert_delete" AFTER DELETE ON "node"."alert"
    REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_alert"();
CREATE TRIGGER "stat_firearm_insert" AFTER INSERT ON "node"."firearm"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_firearm_update" AFTER UPDATE ON "node"."firearm"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_firearm_delete" AFTER DELETE ON "node"."firearm"
    REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_ammunition_insert" AFTER INSERT ON "node"."ammunition"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_ammunition_update" AFTER UPDATE ON "node"."ammunition"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_ammunition_delete" AFTER DELETE ON "node"."ammunition"
    REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_explosive_insert" AFTER INSERT ON "node"."explosive"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_explosive_update" AFTER UPDATE ON "node"."explosive"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_explosive_delete" AFTER DELETE ON "node"."explosive"
    REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_sharing_rule_insert" AFTER INSERT ON "node"."sharing_rule"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_sharing_rule_update" AFTER UPDATE ON "node"."sharing_rule"
    REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();
CREATE TRIGGER "stat_sharing_rule_delete" AFTER DELETE ON "node"."sharing_rule"
    REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "node"."stat_mark_item"();

-- Every alert already recorded, counted once.
SELECT "node"."stat_refresh"(coalesce(array_agg("id"), '{}')) FROM "node"."alert";
