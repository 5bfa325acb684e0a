// The MENTIONS edges of a scope's memories (the edges, not the lookup lists that repeat them).
MATCH (m:Memory)-[:MENTIONS]->(e:Entity)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id)
RETURN m.id AS memory_id, e.id AS entity_id
