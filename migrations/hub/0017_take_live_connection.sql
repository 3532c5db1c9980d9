-- Taking a place among an officer's live connections in one round trip
-- (issue 19: subscribing without a cursor over server-sent events costs its
-- request and its entry, not five statements of an interactive transaction).
-- The same steps as before, in the same order, under the same lock of the
-- officer: in a function, each statement after the lock reads with a fresh
-- snapshot, so the count sees every place another process took and
-- committed before the lock was granted. No table changes.

CREATE OR REPLACE FUNCTION "hub"."take_live_connection"(
    p_officer TEXT, p_id UUID, p_transport TEXT, p_gateway_id UUID, p_max INTEGER, p_stale_seconds DOUBLE PRECISION
) RETURNS BOOLEAN
    LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('live_connection'), hashtext(p_officer));
    -- The database's clock for every process: their own clocks may drift apart.
    DELETE FROM "hub"."live_connection" WHERE "officer" = p_officer AND "seen_at" < now() - make_interval(secs => p_stale_seconds);
    IF (SELECT count(*) FROM "hub"."live_connection" WHERE "officer" = p_officer) >= p_max THEN
        RETURN FALSE;
    END IF;
    INSERT INTO "hub"."live_connection" ("id", "officer", "transport", "gateway_id") VALUES (p_id, p_officer, p_transport, p_gateway_id);
    RETURN TRUE;
END $$;
