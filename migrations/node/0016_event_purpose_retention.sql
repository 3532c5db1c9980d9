-- 0016 the event outbox, generic over kinds and kept for a retention only:
-- each event names the purpose and case it belongs to (a hit: its watch
-- entry's), so that it is delivered only to an officer working under them, and
-- the counter row says up to where the feed was pruned (a read from before
-- that answers CURSOR_EXPIRED instead of a silent gap).
--
-- Columns match prisma/node/schema.prisma (checked by test/migrations.test.ts).

ALTER TABLE "node"."event" ADD COLUMN "purpose" VARCHAR(40),
    ADD COLUMN "case_reference" VARCHAR(100);

-- The hits already in the outbox belong to their watch entry's purpose and case.
UPDATE "node"."event" e SET "purpose" = w."purpose", "case_reference" = w."case_reference"
  FROM "node"."watch_entry" w WHERE w."id" = e."watch_entry_id";

ALTER TABLE "node"."event_counter" ADD COLUMN "pruned_through" BIGINT NOT NULL DEFAULT 0;
