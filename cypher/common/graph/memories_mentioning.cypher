// Memories that mention any of these entities, with which entity.
MATCH (m:Memory)-[:MENTIONS]->(e:Entity)
WHERE e.id IN $ids AND m.invalid_at IS NULL AND ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id) AND ($run_id IS NULL OR m.run_id = $run_id)
RETURN e.id AS entity_id, m.id AS memory_id
