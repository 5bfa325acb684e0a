// Relations among a scope's entities that held at $as_of and were invalidated since (search's as_of).
MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE ($user_id IS NULL OR a.user_id = $user_id) AND ($agent_id IS NULL OR a.agent_id = $agent_id)
  AND ($run_id IS NULL OR a.run_id = $run_id)
  AND r.invalid_at IS NOT NULL AND r.invalid_at > $as_of AND r.valid_at <= $as_of
RETURN r.id AS id, a.name AS from_name, b.name AS to_name, r.type AS type, r.fact AS fact,
       r.memory_id AS memory_id, r.valid_at AS valid_at, r.invalid_at AS invalid_at
