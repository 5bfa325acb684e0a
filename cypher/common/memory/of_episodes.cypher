MATCH (m:Memory)-[:DERIVED_FROM]->(ep:Episode)
WHERE ep.id IN $ids AND m.invalid_at IS NULL AND ($user_id IS NULL OR m.user_id = $user_id)
  AND ($agent_id IS NULL OR m.agent_id = $agent_id) AND ($run_id IS NULL OR m.run_id = $run_id)
RETURN ep.id AS episode_id, m.id AS memory_id
