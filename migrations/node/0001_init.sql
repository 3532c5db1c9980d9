-- 0001 init: the agency node's domain model (schema "node").
-- Written with `npm run migration:sql` from schema.prisma; test/migrations.test.ts
-- fails if the migrations and schema.prisma ever describe different databases.

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "node";

-- CreateEnum
CREATE TYPE "node"."unit_kind" AS ENUM ('BORDER_POLICE_BCP', 'BORDER_POLICE_GREEN_BORDER', 'CRIMINAL_POLICE', 'CUSTOMS', 'FORENSIC_AGENCY', 'FIREARMS_FOCAL_POINT', 'LIAISON_OFFICE', 'DUTY_DESK', 'DATA_PROTECTION_OFFICE');

-- CreateEnum
CREATE TYPE "node"."alert_kind" AS ENUM ('SEIZURE', 'LOOKOUT_PERSON', 'LOOKOUT_VEHICLE', 'LOOKOUT_ROUTE', 'STOLEN_FIREARM', 'LOST_FIREARM', 'TRACE_REQUEST', 'BALLISTIC_LINK', 'EXPLOSIVES', 'IMPROVISED_DEVICE');

-- CreateEnum
CREATE TYPE "node"."alert_status" AS ENUM ('ACTIVE', 'UNDER_INVESTIGATION', 'RESOLVED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "node"."location_kind" AS ENUM ('BORDER_CROSSING_POINT', 'GREEN_BORDER', 'MUNICIPALITY');

-- CreateEnum
CREATE TYPE "node"."border_crossing_point" AS ENUM ('HANI_I_ELEZIT_BLACE', 'HANI_I_ELEZIT_BLACE_RAIL', 'GLLOBOCICE_JAZHINCE', 'STANCIQ_BELANOVCE');

-- CreateEnum
CREATE TYPE "node"."risk_level" AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL');

-- CreateEnum
CREATE TYPE "node"."firearm_type" AS ENUM ('PISTOL', 'REVOLVER', 'RIFLE', 'ASSAULT_RIFLE', 'SHOTGUN', 'SUBMACHINE_GUN', 'MACHINE_GUN', 'SNIPER_RIFLE', 'GRENADE_LAUNCHER', 'OTHER');

-- CreateEnum
CREATE TYPE "node"."eu_firearm_category" AS ENUM ('A', 'B', 'C');

-- CreateEnum
CREATE TYPE "node"."explosive_type" AS ENUM ('MILITARY_HIGH_EXPLOSIVE', 'PLASTIC_EXPLOSIVE', 'COMMERCIAL_EXPLOSIVE', 'BLACK_POWDER', 'DETONATOR', 'DETONATING_CORD', 'HAND_GRENADE', 'IMPROVISED_DEVICE', 'OTHER');

-- CreateEnum
CREATE TYPE "node"."quantity_unit" AS ENUM ('PIECE', 'GRAM', 'KILOGRAM', 'METRE');

-- CreateEnum
CREATE TYPE "node"."component_kind" AS ENUM ('FRAME', 'RECEIVER', 'BARREL', 'SLIDE', 'CYLINDER', 'BOLT', 'BREECH_BLOCK', 'SILENCER');

-- CreateEnum
CREATE TYPE "node"."document_kind" AS ENUM ('PASSPORT', 'IDENTITY_CARD', 'DRIVING_LICENCE', 'RESIDENCE_PERMIT', 'FIREARM_LICENCE');

-- CreateEnum
CREATE TYPE "node"."subject_role" AS ENUM ('SUSPECT', 'DRIVER', 'PASSENGER', 'OWNER', 'WITNESS', 'VICTIM');

-- CreateEnum
CREATE TYPE "node"."vehicle_role" AS ENUM ('TRANSPORT', 'CONCEALMENT', 'SUSPECT_VEHICLE', 'STOLEN');

-- CreateEnum
CREATE TYPE "node"."trace_request_status" AS ENUM ('SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'ANSWERED', 'CLOSED');

-- CreateTable
CREATE TABLE "node"."agency" (
    "code" VARCHAR(2) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "country" VARCHAR(100) NOT NULL,
    "contact_email" VARCHAR(254),
    "contact_phone" VARCHAR(40),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agency_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "node"."unit" (
    "code" VARCHAR(40) NOT NULL,
    "agency_code" VARCHAR(2) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "kind" "node"."unit_kind" NOT NULL,
    "border_crossing" "node"."border_crossing_point",
    "contact_email" VARCHAR(254),
    "contact_phone" VARCHAR(40),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "unit_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "node"."alert" (
    "id" UUID NOT NULL,
    "reference" VARCHAR(40) NOT NULL,
    "kind" "node"."alert_kind" NOT NULL,
    "status" "node"."alert_status" NOT NULL DEFAULT 'ACTIVE',
    "title" VARCHAR(200) NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "location_kind" "node"."location_kind" NOT NULL,
    "border_crossing" "node"."border_crossing_point",
    "municipality" VARCHAR(100),
    "latitude" DECIMAL(9,6),
    "longitude" DECIMAL(9,6),
    "modus_operandi" VARCHAR(4000),
    "risk_threat" SMALLINT NOT NULL,
    "risk_vulnerability" SMALLINT NOT NULL,
    "risk_impact" SMALLINT NOT NULL,
    "risk_level" "node"."risk_level" NOT NULL,
    "unit_code" VARCHAR(40) NOT NULL,
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."reference_counter" (
    "prefix" VARCHAR(20) NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "reference_counter_pkey" PRIMARY KEY ("prefix","year")
);

-- CreateTable
CREATE TABLE "node"."firearm" (
    "id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "position" SMALLINT NOT NULL,
    "make" VARCHAR(100) NOT NULL,
    "model" VARCHAR(100) NOT NULL,
    "type" "node"."firearm_type" NOT NULL,
    "calibre" VARCHAR(40) NOT NULL,
    "serial_number" VARCHAR(64),
    "serial_normalized" VARCHAR(64),
    "country_of_manufacture" VARCHAR(2),
    "country_of_last_import" VARCHAR(2),
    "year_of_manufacture" SMALLINT,
    "eu_category" "node"."eu_firearm_category",
    "converted_gas_alarm" BOOLEAN NOT NULL DEFAULT false,
    "printed_3d" BOOLEAN NOT NULL DEFAULT false,
    "reactivated" BOOLEAN NOT NULL DEFAULT false,
    "serial_obliterated" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "firearm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."ammunition" (
    "id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "position" SMALLINT NOT NULL,
    "calibre" VARCHAR(40) NOT NULL,
    "quantity" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ammunition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."explosive" (
    "id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "position" SMALLINT NOT NULL,
    "type" "node"."explosive_type" NOT NULL,
    "description" VARCHAR(500),
    "quantity" DECIMAL(12,3) NOT NULL,
    "unit" "node"."quantity_unit" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "explosive_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."firearm_component" (
    "id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "position" SMALLINT NOT NULL,
    "kind" "node"."component_kind" NOT NULL,
    "quantity" INTEGER NOT NULL,
    "serial_number" VARCHAR(64),
    "serial_normalized" VARCHAR(64),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "firearm_component_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."subject" (
    "id" UUID NOT NULL,
    "family_name" VARCHAR(100) NOT NULL,
    "given_name" VARCHAR(100) NOT NULL,
    "date_of_birth" DATE,
    "nationality" VARCHAR(2),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subject_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."identity_document" (
    "id" UUID NOT NULL,
    "subject_id" UUID NOT NULL,
    "kind" "node"."document_kind" NOT NULL,
    "number" VARCHAR(40) NOT NULL,
    "number_normalized" VARCHAR(40) NOT NULL,
    "issuing_country" VARCHAR(2) NOT NULL,
    "expires_on" DATE,

    CONSTRAINT "identity_document_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."alert_subject" (
    "alert_id" UUID NOT NULL,
    "subject_id" UUID NOT NULL,
    "role" "node"."subject_role" NOT NULL,

    CONSTRAINT "alert_subject_pkey" PRIMARY KEY ("alert_id","subject_id")
);

-- CreateTable
CREATE TABLE "node"."vehicle" (
    "id" UUID NOT NULL,
    "plate" VARCHAR(20),
    "plate_normalized" VARCHAR(20),
    "plate_country" VARCHAR(2),
    "make" VARCHAR(60),
    "model" VARCHAR(60),
    "colour" VARCHAR(40),
    "vin" VARCHAR(17),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vehicle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."alert_vehicle" (
    "alert_id" UUID NOT NULL,
    "vehicle_id" UUID NOT NULL,
    "role" "node"."vehicle_role" NOT NULL,

    CONSTRAINT "alert_vehicle_pkey" PRIMARY KEY ("alert_id","vehicle_id")
);

-- CreateTable
CREATE TABLE "node"."trace_request" (
    "id" UUID NOT NULL,
    "reference" VARCHAR(40) NOT NULL,
    "alert_id" UUID NOT NULL,
    "firearm_id" UUID NOT NULL,
    "addressed_to" VARCHAR(2) NOT NULL,
    "question" VARCHAR(4000) NOT NULL,
    "answer" VARCHAR(8000),
    "status" "node"."trace_request_status" NOT NULL DEFAULT 'SUBMITTED',
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "trace_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node"."trace_request_transition" (
    "id" UUID NOT NULL,
    "trace_request_id" UUID NOT NULL,
    "from_status" "node"."trace_request_status",
    "to_status" "node"."trace_request_status" NOT NULL,
    "actor_agency" VARCHAR(2) NOT NULL,
    "actor_sub" VARCHAR(200) NOT NULL,
    "note" VARCHAR(2000),
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trace_request_transition_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "unit_agency_code_idx" ON "node"."unit"("agency_code");

-- CreateIndex
CREATE UNIQUE INDEX "alert_reference_key" ON "node"."alert"("reference");

-- CreateIndex
CREATE INDEX "alert_created_at_id_idx" ON "node"."alert"("created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "alert_occurred_at_idx" ON "node"."alert"("occurred_at");

-- CreateIndex
CREATE INDEX "alert_kind_idx" ON "node"."alert"("kind");

-- CreateIndex
CREATE INDEX "alert_status_idx" ON "node"."alert"("status");

-- CreateIndex
CREATE INDEX "firearm_alert_id_idx" ON "node"."firearm"("alert_id");

-- CreateIndex
CREATE INDEX "firearm_serial_normalized_idx" ON "node"."firearm"("serial_normalized");

-- CreateIndex
CREATE INDEX "ammunition_alert_id_position_idx" ON "node"."ammunition"("alert_id", "position");

-- CreateIndex
CREATE INDEX "explosive_alert_id_position_idx" ON "node"."explosive"("alert_id", "position");

-- CreateIndex
CREATE INDEX "firearm_component_alert_id_idx" ON "node"."firearm_component"("alert_id");

-- CreateIndex
CREATE INDEX "firearm_component_serial_normalized_idx" ON "node"."firearm_component"("serial_normalized");

-- CreateIndex
CREATE INDEX "subject_family_name_given_name_idx" ON "node"."subject"("family_name", "given_name");

-- CreateIndex
CREATE INDEX "identity_document_subject_id_idx" ON "node"."identity_document"("subject_id");

-- CreateIndex
CREATE INDEX "identity_document_number_normalized_idx" ON "node"."identity_document"("number_normalized");

-- CreateIndex
CREATE INDEX "alert_subject_subject_id_idx" ON "node"."alert_subject"("subject_id");

-- CreateIndex
CREATE INDEX "vehicle_plate_normalized_idx" ON "node"."vehicle"("plate_normalized");

-- CreateIndex
CREATE INDEX "vehicle_vin_idx" ON "node"."vehicle"("vin");

-- CreateIndex
CREATE INDEX "alert_vehicle_vehicle_id_idx" ON "node"."alert_vehicle"("vehicle_id");

-- CreateIndex
CREATE UNIQUE INDEX "trace_request_reference_key" ON "node"."trace_request"("reference");

-- CreateIndex
CREATE INDEX "trace_request_alert_id_idx" ON "node"."trace_request"("alert_id");

-- CreateIndex
CREATE INDEX "trace_request_addressed_to_status_idx" ON "node"."trace_request"("addressed_to", "status");

-- CreateIndex
CREATE INDEX "trace_request_transition_trace_request_id_at_idx" ON "node"."trace_request_transition"("trace_request_id", "at");

-- AddForeignKey
ALTER TABLE "node"."unit" ADD CONSTRAINT "unit_agency_code_fkey" FOREIGN KEY ("agency_code") REFERENCES "node"."agency"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."alert" ADD CONSTRAINT "alert_unit_code_fkey" FOREIGN KEY ("unit_code") REFERENCES "node"."unit"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."firearm" ADD CONSTRAINT "firearm_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."ammunition" ADD CONSTRAINT "ammunition_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."explosive" ADD CONSTRAINT "explosive_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."firearm_component" ADD CONSTRAINT "firearm_component_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."identity_document" ADD CONSTRAINT "identity_document_subject_id_fkey" FOREIGN KEY ("subject_id") REFERENCES "node"."subject"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."alert_subject" ADD CONSTRAINT "alert_subject_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."alert_subject" ADD CONSTRAINT "alert_subject_subject_id_fkey" FOREIGN KEY ("subject_id") REFERENCES "node"."subject"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."alert_vehicle" ADD CONSTRAINT "alert_vehicle_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."alert_vehicle" ADD CONSTRAINT "alert_vehicle_vehicle_id_fkey" FOREIGN KEY ("vehicle_id") REFERENCES "node"."vehicle"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."trace_request" ADD CONSTRAINT "trace_request_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "node"."alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."trace_request" ADD CONSTRAINT "trace_request_firearm_id_fkey" FOREIGN KEY ("firearm_id") REFERENCES "node"."firearm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node"."trace_request_transition" ADD CONSTRAINT "trace_request_transition_trace_request_id_fkey" FOREIGN KEY ("trace_request_id") REFERENCES "node"."trace_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

