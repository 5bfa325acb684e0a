// Memories that mention any of these entities, with which entity and how many memories mention it; of each
// entity at most $per_entity memories, in the store's order (a speaker's read samples a few of its thousands;
// the in-RAM read of Kuzu takes them in the order they were added: a sample either way, not a ranking).
// Hubs (entities mentioned by more than $max_degree memories, e.g. the user) are left out:
// they say nothing about which memories matter, and would return most of the scope.
MATCH (e:Entity)<-[:MENTIONS]-(:Memory)
WHERE e.id IN $ids
WITH e, count(*) AS degree
WHERE degree <= $max_degree
MATCH (e)<-[:MENTIONS]-(m:Memory)
WHERE m.invalid_at IS NULL AND ($user_id IS NULL OR m.user_id = $user_id)
  AND ($agent_id IS NULL OR m.agent_id = $agent_id) AND ($run_id IS NULL OR m.run_id = $run_id)
WITH e, degree, collect(m.id) AS mentioning
UNWIND mentioning[..$per_entity] AS memory_id
RETURN e.id AS entity_id, memory_id, degree
