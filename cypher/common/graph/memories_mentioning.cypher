// Memories that mention any of these entities, with which entity and how many memories mention it.
// Hubs (entities mentioned by more than $max_degree memories, e.g. the user) are left out:
// they say nothing about which memories matter, and would return most of the scope.
MATCH (e:Entity)<-[:MENTIONS]-(:Memory)
WHERE e.id IN $ids
WITH e, count(*) AS degree
WHERE degree <= $max_degree
MATCH (e)<-[:MENTIONS]-(m:Memory)
WHERE m.invalid_at IS NULL AND ($user_id IS NULL OR m.user_id = $user_id)
  AND ($agent_id IS NULL OR m.agent_id = $agent_id) AND ($run_id IS NULL OR m.run_id = $run_id)
RETURN e.id AS entity_id, m.id AS memory_id, degree
