-- 0014 the hub's feed serves every subscription (hits, joint-operation
-- updates, and the kinds to come): an event comes from a source (a node's
-- feed, or the hub itself: HUB), is addressed to an audience (a unit, an
-- agency, an operation) and names its record; what it needs to be delivered
-- is in details. Delivered events are pruned after the agreement's retention,
-- and feed_pruned remembers up to where, per audience, so that a cursor from
-- before answers CURSOR_EXPIRED. live_connection counts each officer's
-- connections across gateway processes.
--
-- Tables and indexes match prisma/hub/schema.prisma (checked by
-- test/migrations.test.ts); the grants and the trigger are beyond Prisma.

ALTER TABLE "hub"."feed_position" RENAME COLUMN "agency" TO "source";
ALTER TABLE "hub"."feed_position" ALTER COLUMN "source" TYPE VARCHAR(10);

ALTER TABLE "hub"."feed_event" RENAME COLUMN "agency" TO "source";
ALTER TABLE "hub"."feed_event" ALTER COLUMN "source" TYPE VARCHAR(10);
ALTER TABLE "hub"."feed_event" RENAME COLUMN "alert_id" TO "record_id";
ALTER TABLE "hub"."feed_event" ALTER COLUMN "record_id" TYPE VARCHAR(80);
ALTER TABLE "hub"."feed_event" ADD COLUMN "audience" VARCHAR(200), ADD COLUMN "details" JSONB;
-- The events taken so far are hits, each for a unit, with its watch entry.
UPDATE "hub"."feed_event" SET
    "audience" = CASE WHEN "recipient_unit" IS NULL THEN 'agency:' || "recipient_agency"
                      ELSE 'unit:' || "recipient_agency" || ':' || "recipient_unit" END,
    "details" = CASE WHEN "watch_entry_id" IS NULL THEN NULL ELSE jsonb_build_object('watchEntryId', "watch_entry_id") END;
ALTER TABLE "hub"."feed_event" ALTER COLUMN "audience" SET NOT NULL;
DROP INDEX "hub"."feed_event_recipient_agency_recipient_unit_agency_seq_idx";
ALTER TABLE "hub"."feed_event" DROP COLUMN "recipient_agency", DROP COLUMN "recipient_unit", DROP COLUMN "watch_entry_id";

-- PostgreSQL 18 names NOT NULL constraints after their column, and a renamed
-- column keeps the old name: renamed too, so that the catalog is the one the
-- schema describes.
ALTER TABLE "hub"."feed_position" RENAME CONSTRAINT "feed_position_agency_not_null" TO "feed_position_source_not_null";
ALTER TABLE "hub"."feed_event" RENAME CONSTRAINT "feed_event_agency_not_null" TO "feed_event_source_not_null";
ALTER TABLE "hub"."feed_event" RENAME CONSTRAINT "feed_event_alert_id_not_null" TO "feed_event_record_id_not_null";

-- CreateIndex
CREATE INDEX "feed_event_audience_source_seq_idx" ON "hub"."feed_event"("audience", "source", "seq");

-- CreateIndex
CREATE INDEX "feed_event_at_idx" ON "hub"."feed_event"("at");

-- CreateTable
CREATE TABLE "hub"."feed_pruned" (
    "audience" VARCHAR(200) NOT NULL,
    "source" VARCHAR(10) NOT NULL,
    "seq" BIGINT NOT NULL,
    "pruned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feed_pruned_pkey" PRIMARY KEY ("audience","source")
);

-- CreateTable
CREATE TABLE "hub"."live_connection" (
    "id" UUID NOT NULL,
    "officer" VARCHAR(400) NOT NULL,
    "transport" VARCHAR(10) NOT NULL,
    "gateway_id" UUID NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "live_connection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "live_connection_officer_idx" ON "hub"."live_connection"("officer");

-- CreateIndex
CREATE INDEX "live_connection_gateway_id_idx" ON "hub"."live_connection"("gateway_id");

-- One notification per source and transaction (PostgreSQL folds identical
-- payloads of one transaction): a reader woken reads everything new anyway.
CREATE OR REPLACE FUNCTION "hub"."notify_feed_event"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hub_feed_events', NEW.source);
    RETURN NULL;
END;
$$;

-- Pruning deletes delivered events after the retention; the hub's own
-- events start at 0, the row being the counter its appends lock.
GRANT DELETE ON "hub"."feed_event" TO "hub_app";
GRANT SELECT, INSERT, UPDATE ON "hub"."feed_pruned" TO "hub_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "hub"."live_connection" TO "hub_app";
INSERT INTO "hub"."feed_position" ("source", "seq") VALUES ('HUB', 0) ON CONFLICT DO NOTHING;

-- The joint-operation updates so far become the hub's first events, in the
-- order they happened, so that a subscriber from the start still gets them.
INSERT INTO "hub"."feed_event" ("source", "seq", "at", "kind", "audience", "record_id", "details")
SELECT 'HUB', row_number() OVER (ORDER BY u."at", u."operation_id", u."seq"), u."at", 'OPERATION_UPDATE',
       'operation:' || u."operation_id", u."operation_id"::text, jsonb_build_object('seq', u."seq")
  FROM "hub"."operation_update" u;
UPDATE "hub"."feed_position" SET "seq" = (SELECT count(*) FROM "hub"."operation_update"), "updated_at" = CURRENT_TIMESTAMP
 WHERE "source" = 'HUB';
