MATCH (e:Entity)
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id) AND e.embedding IS NOT NULL
WITH e, vector.similarity.cosine(e.embedding, $vector) AS score
RETURN e.id AS id, 2 * score - 1 AS similarity, e.name AS name
ORDER BY similarity DESC
LIMIT $k
