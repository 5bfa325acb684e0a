CALL db.index.vector.queryNodes('entity_emb', $fetch, $vector) YIELD node, score
WITH node AS e, score
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id)
RETURN e.id AS id, 2 * score - 1 AS similarity, e.name AS name
ORDER BY similarity DESC
LIMIT $k
