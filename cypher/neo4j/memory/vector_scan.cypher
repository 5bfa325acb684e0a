// Exact cosine over the scope's valid memories (vector.similarity.cosine is (1 + cos) / 2 in Neo4j).
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL AND m.embedding IS NOT NULL
WITH m, vector.similarity.cosine(m.embedding, $vector) AS score
RETURN m.id AS id, 2 * score - 1 AS similarity
ORDER BY similarity DESC
LIMIT $k
