// Relations among a scope's entities that held at $at: began on or before it, not ended by then.
// Times are ISO-8601 UTC text in one format, so comparing strings compares times.
MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE ($user_id IS NULL OR a.user_id = $user_id) AND ($agent_id IS NULL OR a.agent_id = $agent_id)
  AND ($run_id IS NULL OR a.run_id = $run_id)
  AND r.valid_at <= $at AND (r.invalid_at IS NULL OR r.invalid_at > $at)
RETURN r.id AS id, a.id AS source_id, b.id AS target_id, a.name AS source, b.name AS target,
       r.type AS relationship, r.fact AS fact, r.valid_at AS valid_at, r.invalid_at AS invalid_at,
       r.created_at AS created_at, r.memory_id AS memory_id
ORDER BY valid_at DESC
LIMIT $limit
