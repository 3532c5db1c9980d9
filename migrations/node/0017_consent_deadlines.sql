-- 0017 deadlines that act: the job of the hub (src/realtime/consentDeadlineSchedule.ts)
-- asks each node to mark the consent requests left unanswered past their
-- deadline and the grants about to expire, and to announce each once, in the
-- transaction that marks it (the outbox). The marks are what makes it once,
-- whichever gateway process runs the job and however often.
--
-- Columns match prisma/node/schema.prisma (checked by test/migrations.test.ts).

ALTER TABLE "node"."consent_request" ADD COLUMN "overdue_at" TIMESTAMPTZ(3);

ALTER TABLE "node"."consent_grant" ADD COLUMN "expiry_announced_at" TIMESTAMPTZ(3);

-- The job looks grants up by their end.
CREATE INDEX "consent_grant_expires_at_idx" ON "node"."consent_grant"("expires_at");
