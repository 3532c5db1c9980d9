-- 0004 the gateway's place in each node's event feed: where it stands in each
-- node's feed and the routing of the events it took (hub database).
--
-- Tables and indexes match prisma/hub/schema.prisma (checked by
-- test/migrations.test.ts); the grants and the notification trigger are beyond Prisma.

-- CreateTable
CREATE TABLE "hub"."feed_position" (
    "agency" VARCHAR(2) NOT NULL,
    "seq" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feed_position_pkey" PRIMARY KEY ("agency")
);

-- CreateTable
CREATE TABLE "hub"."feed_event" (
    "agency" VARCHAR(2) NOT NULL,
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "kind" VARCHAR(30) NOT NULL,
    "recipient_agency" VARCHAR(2) NOT NULL,
    "recipient_unit" VARCHAR(40),
    "watch_entry_id" UUID,
    "alert_id" UUID NOT NULL,
    "purpose" VARCHAR(40),
    "case_reference" VARCHAR(100),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feed_event_pkey" PRIMARY KEY ("agency","seq")
);

-- CreateIndex
CREATE INDEX "feed_event_recipient_agency_recipient_unit_agency_seq_idx" ON "hub"."feed_event"("recipient_agency", "recipient_unit", "agency", "seq");

CREATE FUNCTION "hub"."notify_feed_event"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hub_feed_events', NEW.agency || ':' || NEW.seq::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER "feed_event_notify" AFTER INSERT ON "hub"."feed_event"
    FOR EACH ROW EXECUTE FUNCTION "hub"."notify_feed_event"();

GRANT USAGE ON SCHEMA "hub" TO "hub_app";
GRANT SELECT, INSERT, UPDATE ON "hub"."feed_position" TO "hub_app";
GRANT SELECT, INSERT ON "hub"."feed_event" TO "hub_app";
