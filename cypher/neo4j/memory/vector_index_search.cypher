// The vector index's global top $fetch, then the scope filter (the backend falls back to vector_scan when
// fewer than $k rows are left). Neo4j scores cosine as (1 + cos) / 2: mapped back to the cosine.
CALL db.index.vector.queryNodes('memory_emb', $fetch, $vector) YIELD node, score
WITH node AS m, score
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
RETURN m.id AS id, 2 * score - 1 AS similarity
ORDER BY similarity DESC
LIMIT $k
