// The vector index's global top $fetch, then the scope filter (the backend falls back to vector_scan when
// fewer than $k rows are left).
CALL vector_search.search('memory_emb', $fetch, $vector) YIELD node, similarity
WITH node AS m, similarity
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
RETURN m.id AS id, similarity
ORDER BY similarity DESC
LIMIT $k
