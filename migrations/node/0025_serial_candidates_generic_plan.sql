-- 0025 serial candidates planned once per session: node.serial_candidates
-- (migrations 0009 and 0014) with the same steps and the same answers, its
-- statement planned once per connection instead of at every step of every call.
--
-- Under force_custom_plan each step's statement was planned again for its
-- values, 0.3 to 1 ms a step, and an exact serial runs up to four steps: on a
-- million firearms that was a third of a typical call (issue 21). The custom
-- plan was there so that a key read in full used the b-tree and a step without
-- a trigram scan ran none. Both now hold in one generic plan: each way of
-- matching is a branch of its own, gated by a condition on the parameters
-- alone, which PostgreSQL evaluates once (a one-time filter) and which leaves a
-- branch it turns off unexecuted:
-- - a key read in full: equality, the b-tree;
-- - a key with unreadable characters (`_`): LIKE, the trigram index;
-- - a trigram step: `%` at the step's threshold, the trigram index.
-- A serial that matches in two branches comes twice with the same score; one
-- row per alert is kept, as before. The plan follows the tables' statistics:
-- ANALYZE invalidates it. Sequential scans are off for the function's own
-- statements: a plan made while a node holds a few serials would otherwise
-- read every row at every step until the next ANALYZE, and each way of
-- matching has its index.

CREATE OR REPLACE FUNCTION "node"."serial_candidates"(
    "search_key" TEXT, "similar_to" TEXT, "threshold" FLOAT8, "wildcard_score" FLOAT8, "similar_cap" FLOAT8, "wanted" INTEGER)
    RETURNS TABLE ("alert_id" UUID, "matched_on" TEXT, "score" FLOAT8)
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off
    SET pg_trgm.similarity_threshold = 0.3
AS $$
DECLARE
    trigrams INTEGER := greatest(coalesce(array_length(show_trgm("similar_to"), 1), 0), 1);
    -- A pattern (unreadable characters, or LIKE's other special characters, which no node key has) or the serial itself.
    wildcard BOOLEAN := "search_key" ~ '[_%\\]';
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
                  FROM (SELECT s.alert_id, 'SERIAL_NUMBER' AS matched_on, 0 AS preference,
                               "node"."serial_score"(s.serial_normalized, "search_key", "wildcard_score", "similar_cap") AS score
                          FROM (SELECT f.alert_id, f.serial_normalized FROM "node"."firearm" f
                                 WHERE NOT wildcard AND f.serial_normalized = "search_key"
                                UNION ALL
                                SELECT f.alert_id, f.serial_normalized FROM "node"."firearm" f
                                 WHERE wildcard AND f.serial_normalized LIKE "search_key"
                                UNION ALL
                                SELECT f.alert_id, f.serial_normalized FROM "node"."firearm" f
                                 WHERE step IS NOT NULL AND f.serial_normalized % "similar_to") s
                        UNION ALL
                        SELECT s.alert_id, 'COMPONENT_SERIAL_NUMBER', 1,
                               "node"."serial_score"(s.serial_normalized, "search_key", "wildcard_score", "similar_cap")
                          FROM (SELECT c.alert_id, c.serial_normalized FROM "node"."firearm_component" c
                                 WHERE NOT wildcard AND c.serial_normalized = "search_key"
                                UNION ALL
                                SELECT c.alert_id, c.serial_normalized FROM "node"."firearm_component" c
                                 WHERE wildcard AND c.serial_normalized LIKE "search_key"
                                UNION ALL
                                SELECT c.alert_id, c.serial_normalized FROM "node"."firearm_component" c
                                 WHERE step IS NOT NULL AND c.serial_normalized % "similar_to") s) m
                 ORDER BY m.alert_id, m.score DESC, m.preference) b
          JOIN "node"."alert" a ON a.id = b.alert_id;
        EXIT WHEN cardinality(ids) >= "wanted";
    END LOOP;
    RETURN QUERY SELECT * FROM unnest(ids[1:"wanted"], ons[1:"wanted"], scores[1:"wanted"]);
END;
$$;
