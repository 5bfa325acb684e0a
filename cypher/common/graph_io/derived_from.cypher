// The DERIVED_FROM edges of a scope's memories: which message each came from.
MATCH (m:Memory)-[:DERIVED_FROM]->(ep:Episode)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id)
RETURN m.id AS memory_id, ep.id AS episode_id
