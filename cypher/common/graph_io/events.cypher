// The history (MemoryEvent nodes) of a scope's stored memories, oldest first. A deleted memory's events
// lose their HAS_EVENT edge with it and carry no scope, so they cannot be told apart by scope here.
MATCH (m:Memory)-[:HAS_EVENT]->(ev:MemoryEvent)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id)
RETURN ev.id AS id, ev.memory_id AS memory_id, ev.event AS event, ev.old_text AS old_text,
       ev.new_text AS new_text, ev.actor AS actor, ev.role AS role, ev.created_at AS created_at, ev.seq AS seq
ORDER BY ev.created_at, ev.seq
