-- One follower per node feed across the gateway processes of a hub database
-- (issue 19): the process that holds a source's lease is the only one that
-- reads that node's feed; it renews the lease while it follows, and the
-- others take it once it has expired (the holder died, or lost the hub
-- database). A lease row with an expiry rather than an advisory lock: its end
-- depends on the database's clock alone, not on when PostgreSQL notices that
-- a dead or cut-off client's connection is gone (TCP keepalives, hours by
-- default), and it works through a transaction pooler. The column types and
-- names follow prisma/hub/schema.prisma (test/migrations.test.ts).

-- CreateTable
CREATE TABLE "hub"."feed_lease" (
    "source" VARCHAR(10) NOT NULL,
    "holder" UUID NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "feed_lease_pkey" PRIMARY KEY ("source")
);

GRANT SELECT, INSERT, UPDATE, DELETE ON "hub"."feed_lease" TO "hub_app";
