CALL vector_search.search('entity_emb', $fetch, $vector) YIELD node, similarity
WITH node AS e, similarity
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id)
RETURN e.id AS id, similarity, e.name AS name
ORDER BY similarity DESC
LIMIT $k
