-- 0002 consent: the owner's sharing rules, handling codes and 4×4 grading on
-- alerts, consent requests and grants, and what hit/no-hit search needs
-- (trigram indexes on serials, folded names of subjects).

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TYPE "node"."tier" AS ENUM ('NONE', 'HIT', 'SUMMARY', 'FULL');
CREATE TYPE "node"."handling_code" AS ENUM ('H0', 'H1', 'H2', 'H3');
CREATE TYPE "node"."source_reliability" AS ENUM ('A', 'B', 'C', 'X');
CREATE TYPE "node"."consent_request_status" AS ENUM ('PENDING', 'GRANTED', 'REFUSED', 'WITHDRAWN');

ALTER TABLE "node"."alert"
    ADD COLUMN "handling_code" "node"."handling_code" NOT NULL DEFAULT 'H0',
    ADD COLUMN "handling_conditions" VARCHAR(1000),
    ADD COLUMN "source_reliability" "node"."source_reliability" NOT NULL DEFAULT 'B',
    ADD COLUMN "information_accuracy" SMALLINT NOT NULL DEFAULT 2;

-- Existing subjects get their match keys from their names (the application
-- computes the same keys for new ones).
ALTER TABLE "node"."subject" ADD COLUMN "family_name_key" VARCHAR(100), ADD COLUMN "given_name_key" VARCHAR(100);
UPDATE "node"."subject" SET
    "family_name_key" = upper(regexp_replace(unaccent("family_name"), '[^[:alpha:]]', '', 'g')),
    "given_name_key" = upper(regexp_replace(unaccent("given_name"), '[^[:alpha:]]', '', 'g'));
ALTER TABLE "node"."subject" ALTER COLUMN "family_name_key" SET NOT NULL, ALTER COLUMN "given_name_key" SET NOT NULL;
DROP INDEX "node"."subject_family_name_given_name_idx";
CREATE INDEX "subject_family_name_key_given_name_key_date_of_birth_idx" ON "node"."subject"("family_name_key", "given_name_key", "date_of_birth");

CREATE INDEX "firearm_serial_trigram_idx" ON "node"."firearm" USING GIN ("serial_normalized" gin_trgm_ops);
CREATE INDEX "firearm_component_serial_trigram_idx" ON "node"."firearm_component" USING GIN ("serial_normalized" gin_trgm_ops);

CREATE TABLE "node"."sharing_rule" (
    "alert_id" UUID NOT NULL,
    "partner_agency" VARCHAR(2) NOT NULL,
    "tier" "node"."tier" NOT NULL,
    "purposes" VARCHAR(40)[],
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "set_by" VARCHAR(200) NOT NULL,
    "set_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sharing_rule_pkey" PRIMARY KEY ("alert_id","partner_agency")
);

CREATE TABLE "node"."consent_request" (
    "id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "requesting_agency" VARCHAR(2) NOT NULL,
    "requesting_unit" VARCHAR(40) NOT NULL,
    "requested_by" VARCHAR(200) NOT NULL,
    "tier" "node"."tier" NOT NULL,
    "purpose" VARCHAR(40) NOT NULL,
    "case_reference" VARCHAR(100),
    "justification" VARCHAR(2000) NOT NULL,
    "status" "node"."consent_request_status" NOT NULL DEFAULT 'PENDING',
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_by" VARCHAR(200),
    "decided_at" TIMESTAMPTZ(3),
    "decision_reason" VARCHAR(2000),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consent_request_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "node"."consent_grant" (
    "id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "request_id" UUID,
    "grantee_agency" VARCHAR(2) NOT NULL,
    "tier" "node"."tier" NOT NULL,
    "purpose" VARCHAR(40) NOT NULL,
    "case_reference" VARCHAR(100),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "granted_by" VARCHAR(200) NOT NULL,
    "granted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" VARCHAR(200),
    "revocation_reason" VARCHAR(2000),

    CONSTRAINT "consent_grant_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "consent_request_status_due_at_idx" ON "node"."consent_request"("status", "due_at");
CREATE INDEX "consent_request_requesting_agency_created_at_idx" ON "node"."consent_request"("requesting_agency", "created_at");
CREATE INDEX "consent_request_alert_id_idx" ON "node"."consent_request"("alert_id");
CREATE UNIQUE INDEX "consent_grant_request_id_key" ON "node"."consent_grant"("request_id");
CREATE INDEX "consent_grant_alert_id_grantee_agency_idx" ON "node"."consent_grant"("alert_id", "grantee_agency");

ALTER TABLE "node"."sharing_rule" ADD CONSTRAINT "sharing_rule_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "node"."consent_request" ADD CONSTRAINT "consent_request_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "node"."consent_grant" ADD CONSTRAINT "consent_grant_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "node"."consent_grant" ADD CONSTRAINT "consent_grant_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "node"."consent_request"("id") ON DELETE SET NULL ON UPDATE CASCADE;
