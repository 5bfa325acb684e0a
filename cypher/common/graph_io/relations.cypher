// Every RELATES edge among a scope's entities, ended ones too, with both ends' ids and names.
MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE ($user_id IS NULL OR a.user_id = $user_id) AND ($agent_id IS NULL OR a.agent_id = $agent_id)
  AND ($run_id IS NULL OR a.run_id = $run_id)
RETURN r.id AS id, a.id AS source_id, b.id AS target_id, a.name AS source, b.name AS target, r.type AS type,
       r.fact AS fact, r.valid_at AS valid_at, r.invalid_at AS invalid_at, r.created_at AS created_at,
       r.memory_id AS memory_id, r.episode_id AS episode_id
ORDER BY r.created_at, r.id
