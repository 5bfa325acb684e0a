// How big a scope's graph is: its entities, its current memories and its current relations.
MATCH (e:Entity)
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id)
WITH count(e) AS entities
OPTIONAL MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
WITH entities, count(m) AS memories
OPTIONAL MATCH (a:Entity)-[r:RELATES]->(:Entity)
WHERE ($user_id IS NULL OR a.user_id = $user_id) AND ($agent_id IS NULL OR a.agent_id = $agent_id)
  AND ($run_id IS NULL OR a.run_id = $run_id) AND r.invalid_at IS NULL
RETURN entities, memories, count(r) AS relations
