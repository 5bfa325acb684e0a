// Vector top-k inside a projected graph that holds only the scope's memories.
CALL QUERY_VECTOR_INDEX('<<graph>>', 'memory_emb', $vector, $k)
WITH node AS m, distance
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id) AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
RETURN m.id AS id, 1.0 - distance AS similarity
ORDER BY similarity DESC
