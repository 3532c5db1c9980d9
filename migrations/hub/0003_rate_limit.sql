-- 0003 rate limits: the gateway's counters, in the hub database, shared by
-- every gateway process (rate-limiter-flexible's PostgreSQL layout). The table
-- is created here, not by the library: the application role creates nothing.

CREATE TABLE "hub"."rate_limit" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limit_pkey" PRIMARY KEY ("key")
);

GRANT SELECT, INSERT, UPDATE, DELETE ON "hub"."rate_limit" TO "hub_app";
