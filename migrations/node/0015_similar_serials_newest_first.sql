-- 0015 similar serials newest first: the alerts a serial search finds only by
-- similarity (no serial of theirs equal or LIKE the search key), newest first.
--
-- A partner below the tier of a serial (SUMMARY) is not told how similar a
-- record's serial is, so the search must not choose which similar records it
-- answers with by that similarity either: it takes them newest first from
-- this list (src/node/records/searchRecords.ts). Each alert once, with its
-- best similarity (firearm before component at equal score), capped at
-- `similar_cap` as node.serial_candidates (migration 0009) scores it; at most
-- `wanted` alerts, the newest. The trigram threshold is this function's own
-- setting, as in 0009.

CREATE FUNCTION "node"."similar_serial_candidates"(
    "search_key" TEXT, "similar_to" TEXT, "threshold" FLOAT8, "similar_cap" FLOAT8, "wanted" INTEGER)
    RETURNS TABLE ("alert_id" UUID, "matched_on" TEXT, "score" FLOAT8)
    LANGUAGE plpgsql
    SET plan_cache_mode = force_custom_plan
    SET pg_trgm.similarity_threshold = 0.3
AS $$
BEGIN
    PERFORM set_config('pg_trgm.similarity_threshold', "threshold"::TEXT, true);
    RETURN QUERY
    SELECT b.alert_id, b.matched_on, b.score
      FROM (SELECT DISTINCT ON (m.alert_id) m.alert_id, m.matched_on, m.score
              FROM (SELECT f.alert_id, 'SERIAL_NUMBER'::TEXT AS matched_on, 0 AS preference,
                           least(similarity(f.serial_normalized, "similar_to")::FLOAT8, "similar_cap") AS score
                      FROM "node"."firearm" f
                     WHERE f.serial_normalized % "similar_to"
                    UNION ALL
                    SELECT c.alert_id, 'COMPONENT_SERIAL_NUMBER'::TEXT, 1,
                           least(similarity(c.serial_normalized, "similar_to")::FLOAT8, "similar_cap")
                      FROM "node"."firearm_component" c
                     WHERE c.serial_normalized % "similar_to") m
             ORDER BY m.alert_id, m.score DESC, m.preference) b
      JOIN "node"."alert" a ON a.id = b.alert_id
     WHERE NOT EXISTS (SELECT 1 FROM "node"."firearm" f WHERE f.alert_id = b.alert_id AND f.serial_normalized LIKE "search_key")
       AND NOT EXISTS (SELECT 1 FROM "node"."firearm_component" c WHERE c.alert_id = b.alert_id AND c.serial_normalized LIKE "search_key")
     ORDER BY a.created_at DESC, a.id DESC
     LIMIT "wanted";
END;
$$;
