// Keyword search (BM25 with stemming and stop words), then the scope filter.
CALL QUERY_FTS_INDEX('Memory', 'memory_fts', $query, top := $k)
WITH node AS m, score
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id) AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
RETURN m.id AS id, score
ORDER BY score DESC
LIMIT $limit
