// Relations among a scope's entities, newest first.
MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE ($user_id IS NULL OR a.user_id = $user_id) AND ($agent_id IS NULL OR a.agent_id = $agent_id) AND ($run_id IS NULL OR a.run_id = $run_id) AND (r.invalid_at IS NULL OR $include_invalid)
RETURN a.name AS source, r.type AS relationship, b.name AS target, r.fact AS fact,
       r.valid_at AS valid_at, r.invalid_at AS invalid_at, r.created_at AS created_at
ORDER BY r.created_at DESC
LIMIT $limit
