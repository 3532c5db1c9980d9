-- 0004 watch entries and event feed: the identifiers units watch, stored and
-- matched by every node they may concern; the hits; the node's durable event
-- outbox with its gap-free sequence.
--
-- Tables and indexes match prisma/node/schema.prisma (checked by
-- test/migrations.test.ts); the counter row, the grants and the notification
-- trigger are beyond Prisma.

CREATE TYPE "node"."watch_kind" AS ENUM ('FIREARM_SERIAL', 'VEHICLE_PLATE', 'VIN', 'PERSON', 'DOCUMENT');

-- CreateTable
CREATE TABLE "node"."watch_entry" (
    "id" UUID NOT NULL,
    "kind" "node"."watch_kind" NOT NULL,
    "owner_agency" VARCHAR(2) NOT NULL,
    "owner_unit" VARCHAR(40) NOT NULL,
    "registered_by" VARCHAR(200) NOT NULL,
    "registered_roles" VARCHAR(20)[],
    "purpose" VARCHAR(40) NOT NULL,
    "case_reference" VARCHAR(100),
    "label" VARCHAR(200) NOT NULL,
    "identifier_key" VARCHAR(64),
    "make" VARCHAR(100),
    "plate_country" VARCHAR(2),
    "family_name_key" VARCHAR(100),
    "given_name_key" VARCHAR(100),
    "date_of_birth" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "removed_at" TIMESTAMPTZ(3),
    "removed_by" VARCHAR(200),

    CONSTRAINT "watch_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."watch_hit" (
    "watch_entry_id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "matched_on" VARCHAR(30) NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "retro" BOOLEAN NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "watch_hit_pkey" PRIMARY KEY ("watch_entry_id","alert_id")
);

-- CreateTable
CREATE TABLE "node"."event" (
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "kind" VARCHAR(30) NOT NULL,
    "recipient_agency" VARCHAR(2) NOT NULL,
    "recipient_unit" VARCHAR(40),
    "watch_entry_id" UUID,
    "alert_id" UUID NOT NULL,
    "details" JSONB,

    CONSTRAINT "event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "node"."event_counter" (
    "id" SMALLINT NOT NULL,
    "last" BIGINT NOT NULL,

    CONSTRAINT "event_counter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "watch_entry_kind_identifier_key_idx" ON "node"."watch_entry"("kind", "identifier_key");

-- CreateIndex
CREATE INDEX "watch_entry_owner_agency_owner_unit_created_at_id_idx" ON "node"."watch_entry"("owner_agency", "owner_unit", "created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "watch_hit_alert_id_idx" ON "node"."watch_hit"("alert_id");

-- CreateIndex
CREATE INDEX "event_recipient_agency_seq_idx" ON "node"."event"("recipient_agency", "seq");

-- AddForeignKey
ALTER TABLE "node"."watch_hit" ADD CONSTRAINT "watch_hit_watch_entry_id_fkey" FOREIGN KEY ("watch_entry_id") REFERENCES "node"."watch_entry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."watch_hit" ADD CONSTRAINT "watch_hit_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The outbox's single counter row: `update … set last = last + n` takes its
-- row lock, held until the writer commits, so sequence numbers are handed out
-- in commit order and a reader never sees seq n + 1 before n.
INSERT INTO "node"."event_counter" ("id", "last") VALUES (1, 0);

-- Wakes the feed's listeners when an event commits (NOTIFY is delivered at
-- commit, and only then). Readers never rely on it: they also poll.
CREATE FUNCTION "node"."notify_event"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hub_node_events', NEW.seq::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER "event_notify" AFTER INSERT ON "node"."event"
    FOR EACH ROW EXECUTE FUNCTION "node"."notify_event"();

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "node" TO "hub_app";
