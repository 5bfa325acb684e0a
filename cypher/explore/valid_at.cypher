// Relations of a user that were true at a date: started on or before it, not invalidated by then.
// Parameters: $user_id, $at (an ISO-8601 date or timestamp string, e.g. '2026-06-01'). Timestamps are
// stored as ISO-8601 text in UTC, so comparing strings compares times.
MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE a.user_id = $user_id AND r.valid_at <= $at AND (r.invalid_at IS NULL OR r.invalid_at > $at)
RETURN a.name AS source, r.type AS relationship, b.name AS target, r.fact AS fact,
       r.valid_at AS valid_at, r.invalid_at AS invalid_at
ORDER BY r.valid_at DESC
