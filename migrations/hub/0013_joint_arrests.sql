-- 0013 joint arrests: the rollup behind the joint picture's measure "persons
-- arrested in joint operations" (src/statistics/jointArrests.ts).
--
-- hub.stat_arrest holds, per party of an operation, grid and period, how many
-- persons the operation's ARREST entries record as arrested then (by each
-- entry's occurred_at, on both grids): entries that a later entry corrects
-- count no more, a correction that is an ARREST counts instead, as the
-- operation's outcome counts them (src/operations/operationOutcome.ts). One
-- row per operation, not per party sum: a period's count is released only if
-- every operation's share of it passes the minimum cell size (a member knows
-- its own operations' arrests from the timeline and could subtract them).
--
-- It is kept in the transaction of the change: a timeline entry that is an
-- ARREST or corrects another, and a change of an operation's parties,
-- recompute that operation's rows (a few entries). A failure there fails the
-- change: the rollup never disagrees with the timeline.

-- CreateTable
CREATE TABLE "hub"."stat_arrest" (
    "agency" VARCHAR(2) NOT NULL,
    "grid" VARCHAR(5) NOT NULL,
    "period" DATE NOT NULL,
    "operation_id" UUID NOT NULL,
    "persons" INTEGER NOT NULL,

    CONSTRAINT "stat_arrest_pkey" PRIMARY KEY ("agency","grid","period","operation_id")
);

-- CreateIndex
CREATE INDEX "stat_arrest_operation_id_idx" ON "hub"."stat_arrest"("operation_id");

-- The operations' rows, recomputed from their timelines. SECURITY DEFINER: the
-- gateway's role may read the rollup, never write it.
CREATE FUNCTION "hub"."stat_arrest_refresh"("ids" UUID[]) RETURNS VOID
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  DELETE FROM "hub"."stat_arrest" WHERE "operation_id" = ANY("ids");
  INSERT INTO "hub"."stat_arrest" ("agency", "grid", "period", "operation_id", "persons")
  SELECT p."agency", g."grid",
         CASE WHEN g."grid" = 'MONTH' THEN date_trunc('month', t."occurred_at" AT TIME ZONE 'UTC')::date
              ELSE date_trunc('week', t."occurred_at" AT TIME ZONE 'UTC')::date END,
         o."id", sum(t."persons_arrested")::int
    FROM "hub"."joint_operation" o
    JOIN "hub"."timeline_entry" t ON t."operation_id" = o."id"
    CROSS JOIN LATERAL (SELECT DISTINCT x AS "agency" FROM unnest(o."participating_agencies" || o."lead_agency") AS x) p
    CROSS JOIN (VALUES ('MONTH'), ('WEEK')) AS g("grid")
   WHERE o."id" = ANY("ids")
     AND t."kind" = 'ARREST'
     AND NOT EXISTS (SELECT 1 FROM "hub"."timeline_entry" c WHERE c."corrects_id" = t."id")
   GROUP BY 1, 2, 3, 4
  HAVING sum(t."persons_arrested") > 0;
END
$$;

CREATE FUNCTION "hub"."stat_arrest_mark"() RETURNS TRIGGER
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  -- Two branches: a record's field is looked up only when its branch runs.
  IF TG_TABLE_NAME = 'joint_operation' THEN
    PERFORM "hub"."stat_arrest_refresh"(ARRAY[NEW."id"]);
  ELSE
    PERFORM "hub"."stat_arrest_refresh"(ARRAY[NEW."operation_id"]);
  END IF;
  RETURN NULL;
END
$$;

-- Only the entries that can change a count fire it: an ARREST, or a correction (of an ARREST or not, it is looked up).
CREATE TRIGGER "stat_arrest_entry" AFTER INSERT ON "hub"."timeline_entry"
    FOR EACH ROW WHEN (NEW."kind" = 'ARREST' OR NEW."corrects_id" IS NOT NULL) EXECUTE FUNCTION "hub"."stat_arrest_mark"();
CREATE TRIGGER "stat_arrest_parties" AFTER UPDATE OF "participating_agencies", "lead_agency" ON "hub"."joint_operation"
    FOR EACH ROW WHEN (OLD."participating_agencies" IS DISTINCT FROM NEW."participating_agencies" OR OLD."lead_agency" IS DISTINCT FROM NEW."lead_agency")
    EXECUTE FUNCTION "hub"."stat_arrest_mark"();

GRANT SELECT ON "hub"."stat_arrest" TO "hub_app";

-- Every arrest already recorded, counted once.
SELECT "hub"."stat_arrest_refresh"(coalesce(array_agg("id"), '{}')) FROM "hub"."joint_operation";
