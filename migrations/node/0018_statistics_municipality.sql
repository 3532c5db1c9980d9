-- 0018 statistics by municipality: the MUNICIPALITY dimension of the joint
-- picture (src/statistics/dimensions.ts).
--
-- An alert's municipality is free text (node.alert.municipality). The
-- dimension takes values from a closed list, never the text typed: a partner
-- receives the keys of suppressed cells too, and a free-text value could name
-- more than a place. node.stat_municipality maps every known spelling (the
-- names of src/domain/municipalities.ts and their other spellings, folded by
-- node.stat_spelling: case, diacritics, punctuation) to the municipality's
-- name; any other text counts as OTHER, no text as NONE.
--
-- stat_alert and stat_cell get the column (stat_cell's key with it), the
-- refresh computes it, and the rollups are rebuilt from the records once.

-- CreateTable
CREATE TABLE "node"."stat_municipality" (
    "spelling" VARCHAR(120) NOT NULL,
    "municipality" VARCHAR(40) NOT NULL,

    CONSTRAINT "stat_municipality_pkey" PRIMARY KEY ("spelling")
);

-- A spelling folded to what identifies it: no diacritics (precomposed or combining), lower case, words separated by one space.
CREATE FUNCTION "node"."stat_spelling"("name" TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(
    lower(translate(regexp_replace(coalesce("name", ''), '[' || chr(768) || '-' || chr(879) || ']', '', 'g'),
      'ÀÁÂÃÄÅĀàáâãäåāÇČĆçčćĎĐďđÈÉÊËĒĚèéêëēěÌÍÎÏĪìíîïīǴǦǵǧḰḱĽŁľłÑŇñňÒÓÔÕÖŌòóôõöōŔŘŕřŚŠȘśšșŤȚťțÙÚÛÜŪŮùúûüūůÝŸýÿŹŽŻźžżАБВГДЃЕЖЗЅИЈКЛЉМНЊОПРСТЌУФХЦЧЏШ',
      'aaaaaaaaaaaaaaccccccddddeeeeeeeeeeeeiiiiiiiiiiggggkkllllnnnnoooooooooooorrrrssssssttttuuuuuuuuuuuuyyyyzzzzzzабвгдѓежзѕијклљмнњопрстќуфхцчџш')),
    '[^a-z0-9а-яѐ-џ]+', ' ', 'g'))
$$;

-- Spellings that fold alike (Kačanik, Kaçanik) are one row; two municipalities folding alike would fail here.
INSERT INTO "node"."stat_municipality" ("spelling", "municipality")
SELECT DISTINCT "node"."stat_spelling"(s), m FROM (VALUES
  ('Deçan', 'Deçan'),
  ('Dečani', 'Deçan'),
  ('Deçani', 'Deçan'),
  ('Dragash', 'Dragash'),
  ('Dragaš', 'Dragash'),
  ('Drenas', 'Drenas'),
  ('Gllogoc', 'Drenas'),
  ('Glogovac', 'Drenas'),
  ('Ferizaj', 'Ferizaj'),
  ('Uroševac', 'Ferizaj'),
  ('Ferizaji', 'Ferizaj'),
  ('Fushë Kosovë', 'Fushë Kosovë'),
  ('Kosovo Polje', 'Fushë Kosovë'),
  ('Fushë Kosova', 'Fushë Kosovë'),
  ('Gjakovë', 'Gjakovë'),
  ('Gjakova', 'Gjakovë'),
  ('Đakovica', 'Gjakovë'),
  ('Gjilan', 'Gjilan'),
  ('Gjilani', 'Gjilan'),
  ('Gnjilane', 'Gjilan'),
  ('Graçanicë', 'Graçanicë'),
  ('Gračanica', 'Graçanicë'),
  ('Graçanica', 'Graçanicë'),
  ('Hani i Elezit', 'Hani i Elezit'),
  ('Elez Han', 'Hani i Elezit'),
  ('Đeneral Janković', 'Hani i Elezit'),
  ('Istog', 'Istog'),
  ('Istok', 'Istog'),
  ('Junik', 'Junik'),
  ('Kaçanik', 'Kaçanik'),
  ('Kačanik', 'Kaçanik'),
  ('Kaçaniku', 'Kaçanik'),
  ('Kamenicë', 'Kamenicë'),
  ('Kamenica', 'Kamenicë'),
  ('Klinë', 'Klinë'),
  ('Klina', 'Klinë'),
  ('Kllokot', 'Kllokot'),
  ('Klokot', 'Kllokot'),
  ('Leposaviq', 'Leposaviq'),
  ('Leposavić', 'Leposaviq'),
  ('Lipjan', 'Lipjan'),
  ('Lipljan', 'Lipjan'),
  ('Malishevë', 'Malishevë'),
  ('Mališevo', 'Malishevë'),
  ('Malisheva', 'Malishevë'),
  ('Mamushë', 'Mamushë'),
  ('Mamuša', 'Mamushë'),
  ('Mamusha', 'Mamushë'),
  ('Mitrovicë', 'Mitrovicë'),
  ('Mitrovica', 'Mitrovicë'),
  ('Mitrovicë e Jugut', 'Mitrovicë'),
  ('South Mitrovica', 'Mitrovicë'),
  ('Južna Mitrovica', 'Mitrovicë'),
  ('Mitrovicë e Veriut', 'Mitrovicë e Veriut'),
  ('North Mitrovica', 'Mitrovicë e Veriut'),
  ('Severna Mitrovica', 'Mitrovicë e Veriut'),
  ('Kosovska Mitrovica', 'Mitrovicë e Veriut'),
  ('Novobërdë', 'Novobërdë'),
  ('Novo Brdo', 'Novobërdë'),
  ('Novobërda', 'Novobërdë'),
  ('Obiliq', 'Obiliq'),
  ('Obilić', 'Obiliq'),
  ('Partesh', 'Partesh'),
  ('Parteš', 'Partesh'),
  ('Pejë', 'Pejë'),
  ('Peja', 'Pejë'),
  ('Peć', 'Pejë'),
  ('Podujevë', 'Podujevë'),
  ('Podujeva', 'Podujevë'),
  ('Podujevo', 'Podujevë'),
  ('Prishtinë', 'Prishtinë'),
  ('Prishtina', 'Prishtinë'),
  ('Priština', 'Prishtinë'),
  ('Pristina', 'Prishtinë'),
  ('Prizren', 'Prizren'),
  ('Prizreni', 'Prizren'),
  ('Rahovec', 'Rahovec'),
  ('Orahovac', 'Rahovec'),
  ('Ranillug', 'Ranillug'),
  ('Ranilug', 'Ranillug'),
  ('Shtërpcë', 'Shtërpcë'),
  ('Štrpce', 'Shtërpcë'),
  ('Shtërpca', 'Shtërpcë'),
  ('Shtime', 'Shtime'),
  ('Štimlje', 'Shtime'),
  ('Skënderaj', 'Skënderaj'),
  ('Srbica', 'Skënderaj'),
  ('Suharekë', 'Suharekë'),
  ('Suva Reka', 'Suharekë'),
  ('Suhareka', 'Suharekë'),
  ('Viti', 'Viti'),
  ('Vitina', 'Viti'),
  ('Vushtrri', 'Vushtrri'),
  ('Vučitrn', 'Vushtrri'),
  ('Zubin Potok', 'Zubin Potok'),
  ('Zveçan', 'Zveçan'),
  ('Zvečan', 'Zveçan'),
  ('Skopje', 'Skopje'),
  ('City of Skopje', 'Skopje'),
  ('Shkup', 'Skopje'),
  ('Shkupi', 'Skopje'),
  ('Скопје', 'Skopje'),
  ('Aerodrom', 'Aerodrom'),
  ('Butel', 'Butel'),
  ('Centar', 'Centar'),
  ('Čair', 'Čair'),
  ('Çair', 'Čair'),
  ('Gazi Baba', 'Gazi Baba'),
  ('Gjorče Petrov', 'Gjorče Petrov'),
  ('Đorče Petrov', 'Gjorče Petrov'),
  ('Ǵorče Petrov', 'Gjorče Petrov'),
  ('Karpoš', 'Karpoš'),
  ('Kisela Voda', 'Kisela Voda'),
  ('Saraj', 'Saraj'),
  ('Šuto Orizari', 'Šuto Orizari'),
  ('Aračinovo', 'Aračinovo'),
  ('Haraçinë', 'Aračinovo'),
  ('Berovo', 'Berovo'),
  ('Bitola', 'Bitola'),
  ('Manastir', 'Bitola'),
  ('Bogdanci', 'Bogdanci'),
  ('Bogovinje', 'Bogovinje'),
  ('Bogovinë', 'Bogovinje'),
  ('Bosilovo', 'Bosilovo'),
  ('Brvenica', 'Brvenica'),
  ('Bërvenicë', 'Brvenica'),
  ('Centar Župa', 'Centar Župa'),
  ('Qendër Zhupë', 'Centar Župa'),
  ('Čaška', 'Čaška'),
  ('Češinovo-Obleševo', 'Češinovo-Obleševo'),
  ('Čučer-Sandevo', 'Čučer-Sandevo'),
  ('Kuçer-Sandevë', 'Čučer-Sandevo'),
  ('Debar', 'Debar'),
  ('Dibër', 'Debar'),
  ('Debarca', 'Debarca'),
  ('Delčevo', 'Delčevo'),
  ('Demir Hisar', 'Demir Hisar'),
  ('Demir Kapija', 'Demir Kapija'),
  ('Dojran', 'Dojran'),
  ('Dolneni', 'Dolneni'),
  ('Gevgelija', 'Gevgelija'),
  ('Gostivar', 'Gostivar'),
  ('Gostivari', 'Gostivar'),
  ('Gradsko', 'Gradsko'),
  ('Ilinden', 'Ilinden'),
  ('Jegunovce', 'Jegunovce'),
  ('Jegunoc', 'Jegunovce'),
  ('Karbinci', 'Karbinci'),
  ('Kavadarci', 'Kavadarci'),
  ('Kičevo', 'Kičevo'),
  ('Kërçovë', 'Kičevo'),
  ('Kërçova', 'Kičevo'),
  ('Kočani', 'Kočani'),
  ('Konče', 'Konče'),
  ('Kratovo', 'Kratovo'),
  ('Kriva Palanka', 'Kriva Palanka'),
  ('Krivogaštani', 'Krivogaštani'),
  ('Kruševo', 'Kruševo'),
  ('Kumanovo', 'Kumanovo'),
  ('Kumanovë', 'Kumanovo'),
  ('Куманово', 'Kumanovo'),
  ('Lipkovo', 'Lipkovo'),
  ('Likovë', 'Lipkovo'),
  ('Lozovo', 'Lozovo'),
  ('Makedonska Kamenica', 'Makedonska Kamenica'),
  ('Makedonski Brod', 'Makedonski Brod'),
  ('Mavrovo and Rostuša', 'Mavrovo and Rostuša'),
  ('Mavrovo i Rostuša', 'Mavrovo and Rostuša'),
  ('Mavrovo-Rostuša', 'Mavrovo and Rostuša'),
  ('Mogila', 'Mogila'),
  ('Negotino', 'Negotino'),
  ('Novaci', 'Novaci'),
  ('Novo Selo', 'Novo Selo'),
  ('Ohrid', 'Ohrid'),
  ('Ohër', 'Ohrid'),
  ('Pehčevo', 'Pehčevo'),
  ('Petrovec', 'Petrovec'),
  ('Plasnica', 'Plasnica'),
  ('Pllasnicë', 'Plasnica'),
  ('Prilep', 'Prilep'),
  ('Probištip', 'Probištip'),
  ('Radoviš', 'Radoviš'),
  ('Rankovce', 'Rankovce'),
  ('Resen', 'Resen'),
  ('Rosoman', 'Rosoman'),
  ('Sopište', 'Sopište'),
  ('Staro Nagoričane', 'Staro Nagoričane'),
  ('Štip', 'Štip'),
  ('Struga', 'Struga'),
  ('Strugë', 'Struga'),
  ('Strumica', 'Strumica'),
  ('Studeničani', 'Studeničani'),
  ('Studeniçan', 'Studeničani'),
  ('Sveti Nikole', 'Sveti Nikole'),
  ('Tearce', 'Tearce'),
  ('Tearcë', 'Tearce'),
  ('Tetovo', 'Tetovo'),
  ('Tetovë', 'Tetovo'),
  ('Тетово', 'Tetovo'),
  ('Valandovo', 'Valandovo'),
  ('Vasilevo', 'Vasilevo'),
  ('Veles', 'Veles'),
  ('Vevčani', 'Vevčani'),
  ('Vinica', 'Vinica'),
  ('Vrapčište', 'Vrapčište'),
  ('Vrapçisht', 'Vrapčište'),
  ('Zelenikovo', 'Zelenikovo'),
  ('Želino', 'Želino'),
  ('Zhelinë', 'Želino'),
  ('Zrnovci', 'Zrnovci')
) AS v(s, m);

-- AlterTable: every row is rebuilt below; the default only fills the column.
ALTER TABLE "node"."stat_alert" ADD COLUMN "municipality" VARCHAR(40) NOT NULL DEFAULT 'NONE';
ALTER TABLE "node"."stat_alert" ALTER COLUMN "municipality" DROP DEFAULT;
ALTER TABLE "node"."stat_cell" ADD COLUMN "municipality" VARCHAR(40) NOT NULL DEFAULT 'NONE';
ALTER TABLE "node"."stat_cell" ALTER COLUMN "municipality" DROP DEFAULT;
ALTER TABLE "node"."stat_cell" DROP CONSTRAINT "stat_cell_pkey";
ALTER TABLE "node"."stat_cell" ADD CONSTRAINT "stat_cell_pkey" PRIMARY KEY ("grid","period","place","kind","risk_level","firearm_type","eu_category","converted","printed_3d","reactivated","obliterated","municipality","withheld_from");

-- As in 0012, with the municipality.
CREATE OR REPLACE FUNCTION "node"."stat_refresh"("ids" UUID[]) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
  "touched" DATE[];
  "added" DATE[];
BEGIN
  WITH "gone" AS (
    DELETE FROM "node"."stat_alert" WHERE "alert_id" = ANY("ids") RETURNING *
  ), "cells" AS (
    SELECT g.grid, CASE WHEN g.grid = 'MONTH' THEN s."month" ELSE s."week" END AS "period",
           s."place", s."kind", s."risk_level", s."firearm_type", s."eu_category", s."converted", s."printed_3d",
           s."reactivated", s."obliterated", s."municipality", s."withheld_from",
           count(*)::int AS "alerts", sum(s."firearms")::int AS "firearms", sum(s."rounds")::bigint AS "rounds",
           sum(s."explosives_kg") AS "explosives_kg", sum(s."threat")::int AS "threat",
           sum(s."vulnerability")::int AS "vulnerability", sum(s."impact")::int AS "impact"
      FROM "gone" s CROSS JOIN (VALUES ('MONTH'), ('WEEK')) AS g(grid)
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
  )
  , "taken" AS (
  UPDATE "node"."stat_cell" c
     SET "alerts" = c."alerts" - d."alerts", "firearms" = c."firearms" - d."firearms", "rounds" = c."rounds" - d."rounds",
         "explosives_kg" = c."explosives_kg" - d."explosives_kg", "threat" = c."threat" - d."threat",
         "vulnerability" = c."vulnerability" - d."vulnerability", "impact" = c."impact" - d."impact"
    FROM "cells" d
   WHERE (c."grid", c."period", c."place", c."kind", c."risk_level", c."firearm_type", c."eu_category", c."converted",
          c."printed_3d", c."reactivated", c."obliterated", c."municipality", c."withheld_from")
       = (d."grid", d."period", d."place", d."kind", d."risk_level", d."firearm_type", d."eu_category", d."converted",
          d."printed_3d", d."reactivated", d."obliterated", d."municipality", d."withheld_from")
  RETURNING 1)
  SELECT coalesce(array_agg("month") || array_agg("week"), '{}') INTO "touched" FROM "gone";

  WITH "fresh" AS (
    INSERT INTO "node"."stat_alert" ("alert_id", "month", "week", "place", "kind", "risk_level", "firearm_type", "eu_category",
                                     "converted", "printed_3d", "reactivated", "obliterated", "municipality", "withheld_from",
                                     "firearms", "rounds", "explosives_kg", "threat", "vulnerability", "impact")
    SELECT a."id",
           date_trunc('month', a."occurred_at" AT TIME ZONE 'UTC')::date,
           date_trunc('week', a."occurred_at" AT TIME ZONE 'UTC')::date,
           "node"."stat_place"(a."location_kind", a."border_crossing", a."longitude"),
           a."kind"::text, a."risk_level"::text,
           CASE WHEN f."count" = 0 THEN 'NONE' WHEN f."types" = 1 THEN f."type" ELSE 'MIXED' END,
           CASE WHEN f."count" = 0 THEN 'NONE' WHEN f."a" THEN 'A' WHEN f."b" THEN 'B' WHEN f."c" THEN 'C' ELSE 'UNCLASSIFIED' END,
           CASE WHEN f."converted" THEN 'YES' ELSE 'NO' END,
           CASE WHEN f."printed" THEN 'YES' ELSE 'NO' END,
           CASE WHEN f."reactivated" THEN 'YES' ELSE 'NO' END,
           CASE WHEN f."obliterated" THEN 'YES' ELSE 'NO' END,
           CASE WHEN "node"."stat_spelling"(a."municipality") = '' THEN 'NONE'
                ELSE coalesce((SELECT m."municipality" FROM "node"."stat_municipality" m
                                WHERE m."spelling" = "node"."stat_spelling"(a."municipality")), 'OTHER') END,
           coalesce((
             SELECT string_agg(p."code", ',' ORDER BY p."code")
               FROM "node"."agency" p
              WHERE (EXISTS (SELECT 1 FROM "node"."sharing_rule" r
                              WHERE r."alert_id" = a."id" AND r."partner_agency" = p."code" AND r."tier" = 'NONE')
                     OR (a."handling_code" = 'H2' AND NOT EXISTS (
                            SELECT 1 FROM "node"."sharing_rule" r
                             WHERE r."alert_id" = a."id" AND r."partner_agency" = p."code" AND r."tier" <> 'NONE')))
           ), ''),
           f."count",
           coalesce((SELECT sum(m."quantity") FROM "node"."ammunition" m WHERE m."alert_id" = a."id"), 0),
           coalesce((SELECT sum(CASE e."unit" WHEN 'KILOGRAM' THEN e."quantity" WHEN 'GRAM' THEN e."quantity" / 1000 ELSE 0 END)
                       FROM "node"."explosive" e WHERE e."alert_id" = a."id"), 0),
           a."risk_threat", a."risk_vulnerability", a."risk_impact"
      FROM "node"."alert" a
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS "count", count(DISTINCT x."type")::int AS "types", min(x."type"::text) AS "type",
               coalesce(bool_or(x."eu_category" = 'A'), false) AS "a", coalesce(bool_or(x."eu_category" = 'B'), false) AS "b",
               coalesce(bool_or(x."eu_category" = 'C'), false) AS "c",
               coalesce(bool_or(x."converted_gas_alarm"), false) AS "converted", coalesce(bool_or(x."printed_3d"), false) AS "printed",
               coalesce(bool_or(x."reactivated"), false) AS "reactivated", coalesce(bool_or(x."serial_obliterated"), false) AS "obliterated"
          FROM "node"."firearm" x WHERE x."alert_id" = a."id"
      ) f
     WHERE a."id" = ANY("ids")
    RETURNING *
  )
  , "put" AS (
  INSERT INTO "node"."stat_cell" ("grid", "period", "place", "kind", "risk_level", "firearm_type", "eu_category", "converted",
                                  "printed_3d", "reactivated", "obliterated", "municipality", "withheld_from",
                                  "alerts", "firearms", "rounds", "explosives_kg", "threat", "vulnerability", "impact")
  SELECT g.grid, CASE WHEN g.grid = 'MONTH' THEN s."month" ELSE s."week" END,
         s."place", s."kind", s."risk_level", s."firearm_type", s."eu_category", s."converted", s."printed_3d",
         s."reactivated", s."obliterated", s."municipality", s."withheld_from",
         count(*)::int, sum(s."firearms")::int, sum(s."rounds")::bigint, sum(s."explosives_kg"),
         sum(s."threat")::int, sum(s."vulnerability")::int, sum(s."impact")::int
    FROM "fresh" s CROSS JOIN (VALUES ('MONTH'), ('WEEK')) AS g(grid)
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
  ON CONFLICT ("grid", "period", "place", "kind", "risk_level", "firearm_type", "eu_category", "converted", "printed_3d", "reactivated", "obliterated", "municipality", "withheld_from")
  DO UPDATE SET "alerts" = "stat_cell"."alerts" + excluded."alerts", "firearms" = "stat_cell"."firearms" + excluded."firearms",
                "rounds" = "stat_cell"."rounds" + excluded."rounds", "explosives_kg" = "stat_cell"."explosives_kg" + excluded."explosives_kg",
                "threat" = "stat_cell"."threat" + excluded."threat", "vulnerability" = "stat_cell"."vulnerability" + excluded."vulnerability",
                "impact" = "stat_cell"."impact" + excluded."impact"
  RETURNING 1)
  SELECT coalesce(array_agg("month") || array_agg("week"), '{}') INTO "added" FROM "fresh";

  -- Months and weeks are told apart by the day: a week starts on a Monday, a month on the 1st (both, now and then).
  INSERT INTO "node"."stat_version" ("grid", "period", "version")
  SELECT DISTINCT g.grid, d."day", 1
    FROM unnest("touched" || "added") AS d("day")
    CROSS JOIN (VALUES ('MONTH'), ('WEEK')) AS g(grid)
   WHERE (g.grid = 'MONTH' AND extract(day FROM d."day") = 1) OR (g.grid = 'WEEK' AND extract(isodow FROM d."day") = 1)
  ON CONFLICT ("grid", "period") DO UPDATE SET "version" = "stat_version"."version" + 1;
END
$$;

-- A change of an alert's municipality is an update of the alert: 0012's triggers already mark it.
-- Every alert counted again, with its municipality.
TRUNCATE "node"."stat_alert", "node"."stat_cell";
SELECT "node"."stat_refresh"(coalesce(array_agg("id"), '{}')) FROM "node"."alert";
