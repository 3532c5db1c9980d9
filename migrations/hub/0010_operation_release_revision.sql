-- 0010 joint-operation releases as their owners' nodes confirmed them: the
-- owner node's revision of each release (the hub records a release once the
-- node answered with it, never before, and a newer one only), and when the
-- operation closed or was cancelled, which ends every release of it.
--
-- Columns match prisma/hub/schema.prisma (test/migrations.test.ts).

ALTER TABLE "hub"."operation_release" ADD COLUMN "revision" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "hub"."operation_release" ADD COLUMN "ended_at" TIMESTAMPTZ(3);
