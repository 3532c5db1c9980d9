-- 0014 watch matching by index: a changed record finds the watch entries it
-- meets, and a new watch entry the records, by lookups on indexed keys, one per
-- identifier, never by comparing every entry (src/realtime/watchCandidates.ts).
--
-- - Exact kinds (serials read in full, plates, VINs, documents) by equality on
--   (kind, identifier_key); persons on their folded name keys and date of birth.
-- - Serials watched with unreadable characters (`_`): a LIKE pattern cannot be
--   looked up from the value's side, so each such entry keeps an anchor
--   (serial_anchor, generated): its length and the position and last up to six
--   characters of its longest readable run (the end of a run: a model's prefix
--   begins many serials, their digits differ). A record's serial meets it only
--   if it has the same length and those characters there, so the record asks
--   for its own anchors (node.serial_anchors, every position and one to six
--   characters: at most 6 × 64 keys) by equality, then the LIKE decides.
-- - Obliterated serials of records against watched serials by trigram
--   similarity: a trigram index on identifier_key (pg_trgm reads `_` as a word
--   separator, as it reads the space the similarity term puts there).
--
-- node.serial_score is the score of a serial against a searched or watched
-- key, in one place for the serial search (node.serial_candidates, redefined
-- here around it) and for watch matching.
--
-- Tables and indexes match prisma/node/schema.prisma (checked by
-- test/migrations.test.ts); the functions and the column's generation are
-- beyond Prisma.

-- 1 for the serial itself, `wildcard_score` when every readable character of a
-- key with unreadable ones (`_`) matches, else pg_trgm similarity to the key
-- read with spaces for the unreadable characters, at most `similar_cap`: below
-- any match of every readable character, so that a different serial whose
-- trigrams are all the key's (AAAAA and AAAA) is never scored as an exact match.
CREATE FUNCTION "node"."serial_score"("serial" TEXT, "search_key" TEXT, "wildcard_score" FLOAT8, "similar_cap" FLOAT8)
    RETURNS FLOAT8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN "serial" = "search_key" THEN 1.0::FLOAT8
                WHEN "serial" LIKE "search_key" THEN "wildcard_score"
                ELSE least(similarity("serial", replace("search_key", '_', ' '))::FLOAT8, "similar_cap") END
$$;

-- The anchor of a serial key with unreadable characters: "length:position:characters"
-- of the last (up to) six characters of its longest readable run (the first of
-- equals); null for a key read in full.
CREATE FUNCTION "node"."serial_anchor"("pattern" TEXT)
    RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT length("pattern") || ':' || (runs.at + greatest(length(runs.run) - 6, 0)) || ':' || right(runs.run, 6)
      FROM (SELECT p AS at, substring(substr("pattern", p) FROM '^[^_]+') AS run
              FROM generate_series(1, length("pattern")) AS p
             WHERE strpos("pattern", '_') > 0 AND (p = 1 OR substr("pattern", p - 1, 1) = '_')) runs
     WHERE runs.run IS NOT NULL
     ORDER BY length(runs.run) DESC, runs.at
     LIMIT 1
$$;

-- Every anchor a serial read in full can meet: its length, each position, and the
-- one to six characters from there.
CREATE FUNCTION "node"."serial_anchors"("serial" TEXT)
    RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(length("serial") || ':' || p || ':' || substr("serial", p, n)), '{}')
      FROM generate_series(1, length("serial")) AS p, generate_series(1, 6) AS n
     WHERE p + n - 1 <= length("serial")
$$;

-- AlterTable
ALTER TABLE "node"."watch_entry" ADD COLUMN "serial_anchor" VARCHAR(16)
    GENERATED ALWAYS AS (CASE WHEN "kind" = 'FIREARM_SERIAL' THEN "node"."serial_anchor"("identifier_key") END) STORED;

-- CreateIndex
CREATE INDEX "watch_entry_identifier_trigram_idx" ON "node"."watch_entry" USING GIN ("identifier_key" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "watch_entry_serial_anchor_idx" ON "node"."watch_entry"("serial_anchor");

-- CreateIndex
CREATE INDEX "watch_entry_family_name_key_given_name_key_date_of_birth_idx" ON "node"."watch_entry"("family_name_key", "given_name_key", "date_of_birth");

-- The watch entries (of any kind and state: the caller keeps the active
-- serials) whose key's similarity to `serial` is at least `threshold`, through
-- the trigram index alone: with the kind in the condition the planner would
-- rather read every serial entry through (kind, identifier_key). The threshold
-- is this function's own setting, as in node.serial_candidates.
CREATE FUNCTION "node"."watched_serials_similar_to"("serial" TEXT, "threshold" FLOAT8)
    RETURNS TABLE ("watch_entry_id" UUID)
    LANGUAGE plpgsql STABLE
    -- A few at most: without this the planner expects 1,000 rows and joins them by scanning watch_entry.
    ROWS 10
    SET pg_trgm.similarity_threshold = 0.3
AS $$
BEGIN
    PERFORM set_config('pg_trgm.similarity_threshold', "threshold"::TEXT, true);
    RETURN QUERY
        SELECT w.id FROM "node"."watch_entry" w
         WHERE w.identifier_key % "serial"
           AND similarity("serial", replace(w.identifier_key, '_', ' ')) >= "threshold";
END;
$$;

-- The firearms whose serial is marked obliterated and whose similarity to the
-- watched key (`_` read as a space) is at least `threshold`, through the
-- firearms' trigram index.
CREATE FUNCTION "node"."worn_serials_similar_to"("search_key" TEXT, "threshold" FLOAT8)
    RETURNS TABLE ("alert_id" UUID, "serial" TEXT)
    LANGUAGE plpgsql STABLE
    ROWS 10
    SET pg_trgm.similarity_threshold = 0.3
AS $$
BEGIN
    PERFORM set_config('pg_trgm.similarity_threshold', "threshold"::TEXT, true);
    RETURN QUERY
        SELECT f.alert_id, f.serial_normalized::TEXT FROM "node"."firearm" f
         WHERE f.serial_obliterated AND f.serial_normalized % replace("search_key", '_', ' ')
           AND similarity(f.serial_normalized, replace("search_key", '_', ' ')) >= "threshold";
END;
$$;

-- The serial search's candidates (migration 0009) scored by node.serial_score:
-- the same body, the score no longer written out here. `similar_to` (the key
-- with spaces for `_`, trimmed) still drives the trigram scans; its trigrams are
-- the key's, so the score is unchanged.
CREATE OR REPLACE FUNCTION "node"."serial_candidates"(
    "search_key" TEXT, "similar_to" TEXT, "threshold" FLOAT8, "wildcard_score" FLOAT8, "similar_cap" FLOAT8, "wanted" INTEGER)
    RETURNS TABLE ("alert_id" UUID, "matched_on" TEXT, "score" FLOAT8)
    LANGUAGE plpgsql
    -- Each statement planned for its values: LIKE and % on a parameter would otherwise get a generic plan.
    SET plan_cache_mode = force_custom_plan
    SET pg_trgm.similarity_threshold = 0.3
AS $$
DECLARE
    trigrams INTEGER := greatest(coalesce(array_length(show_trgm("similar_to"), 1), 0), 1);
    -- NULL: no trigram scan (step 1).
    steps FLOAT8[] := ARRAY[NULL::FLOAT8];
    step FLOAT8;
    ids UUID[];
    ons TEXT[];
    scores FLOAT8[];
BEGIN
    IF strpos("search_key", '_') = 0 THEN
        steps := steps || ARRAY(
            SELECT (k - 1)::FLOAT8 / trigrams + 1e-6
              FROM generate_series(ceil(trigrams / 2.0)::INTEGER, ceil(trigrams * "threshold")::INTEGER + 1, -1) k);
    END IF;
    steps := steps || "threshold";
    FOREACH step IN ARRAY steps LOOP
        IF step IS NOT NULL THEN
            PERFORM set_config('pg_trgm.similarity_threshold', step::TEXT, true);
        END IF;
        SELECT array_agg(b.alert_id ORDER BY b.score DESC, a.created_at DESC, a.id DESC),
               array_agg(b.matched_on ORDER BY b.score DESC, a.created_at DESC, a.id DESC),
               array_agg(b.score ORDER BY b.score DESC, a.created_at DESC, a.id DESC)
          INTO ids, ons, scores
          FROM (SELECT DISTINCT ON (m.alert_id) m.alert_id, m.matched_on, m.score
                  FROM (SELECT f.alert_id, 'SERIAL_NUMBER' AS matched_on, 0 AS preference,
                               "node"."serial_score"(f.serial_normalized, "search_key", "wildcard_score", "similar_cap") AS score
                          FROM "node"."firearm" f
                         WHERE f.serial_normalized LIKE "search_key" OR (step IS NOT NULL AND f.serial_normalized % "similar_to")
                        UNION ALL
                        SELECT c.alert_id, 'COMPONENT_SERIAL_NUMBER', 1,
                               "node"."serial_score"(c.serial_normalized, "search_key", "wildcard_score", "similar_cap")
                          FROM "node"."firearm_component" c
                         WHERE c.serial_normalized LIKE "search_key" OR (step IS NOT NULL AND c.serial_normalized % "similar_to")) m
                 ORDER BY m.alert_id, m.score DESC, m.preference) b
          JOIN "node"."alert" a ON a.id = b.alert_id;
        EXIT WHEN cardinality(ids) >= "wanted";
    END LOOP;
    RETURN QUERY SELECT * FROM unnest(ids[1:"wanted"], ons[1:"wanted"], scores[1:"wanted"]);
END;
$$;
