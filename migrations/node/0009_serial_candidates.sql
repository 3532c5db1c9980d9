-- 0009 serial candidates: the serial search's candidate statement as one
-- function call, so that a search needs neither an interactive transaction
-- (for the trigram threshold) nor a trigram scan that cannot change its answer.
--
-- node.serial_candidates returns the first `wanted` alerts of the ranking the
-- search defines (src/node/records/searchRecords.ts, referenceSerialRanking in
-- test/serialCandidates.test.ts): over the serials of firearms (then of
-- components, at equal score) one row per alert with its best score, 1 for the
-- normalised serial itself, `wildcard_score` for every readable character
-- matching (LIKE `search_key`), else pg_trgm similarity to `similar_to`
-- (at least `threshold`, at most `similar_cap`); best score first, then newest
-- alert, then id.
--
-- It gets there in steps, each of which gives every alert scoring at least
-- its floor, so that once `wanted` alerts are found they are the best
-- `wanted` of the whole ranking:
-- 1. exact and LIKE matches only (the b-tree and trigram indexes for LIKE);
-- 2. for a serial read in full, similar serials sharing at least k of its n
--    trigrams, k from n/2 down: `%` at (k - 1) / n (plus a hair) lets the
--    trigram index pass only those, and a near miss that shares a model's
--    prefix with thousands of serials is found without rechecking them all;
-- 3. `%` at `threshold`, the whole ranking.
-- The threshold is this function's own setting (SET below): set_config with
-- is_local inside a function with that SET clause ends with the call.

CREATE FUNCTION "node"."serial_candidates"(
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
                               CASE WHEN f.serial_normalized = "search_key" THEN 1.0::FLOAT8
                                    WHEN f.serial_normalized LIKE "search_key" THEN "wildcard_score"
                                    ELSE least(similarity(f.serial_normalized, "similar_to")::FLOAT8, "similar_cap") END AS score
                          FROM "node"."firearm" f
                         WHERE f.serial_normalized LIKE "search_key" OR (step IS NOT NULL AND f.serial_normalized % "similar_to")
                        UNION ALL
                        SELECT c.alert_id, 'COMPONENT_SERIAL_NUMBER', 1,
                               CASE WHEN c.serial_normalized = "search_key" THEN 1.0::FLOAT8
                                    WHEN c.serial_normalized LIKE "search_key" THEN "wildcard_score"
                                    ELSE least(similarity(c.serial_normalized, "similar_to")::FLOAT8, "similar_cap") END
                          FROM "node"."firearm_component" c
                         WHERE c.serial_normalized LIKE "search_key" OR (step IS NOT NULL AND c.serial_normalized % "similar_to")) m
                 ORDER BY m.alert_id, m.score DESC, m.preference) b
          JOIN "node"."alert" a ON a.id = b.alert_id;
        EXIT WHEN cardinality(ids) >= "wanted";
    END LOOP;
    RETURN QUERY SELECT * FROM unnest(ids[1:"wanted"], ons[1:"wanted"], scores[1:"wanted"]);
END;
$$;
