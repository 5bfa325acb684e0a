CALL QUERY_VECTOR_INDEX('<<graph>>', 'entity_emb', $vector, $k)
WITH node AS e, distance
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id) AND ($run_id IS NULL OR e.run_id = $run_id)
RETURN e.id AS id, e.name AS name, 1.0 - distance AS similarity
ORDER BY similarity DESC
