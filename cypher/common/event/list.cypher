MATCH (ev:MemoryEvent)
WHERE ev.memory_id = $memory_id
RETURN ev.id AS id, ev.memory_id AS memory_id, ev.event AS event, ev.old_text AS old_text,
       ev.new_text AS new_text, ev.actor AS actor, ev.role AS role, ev.created_at AS created_at
ORDER BY ev.created_at, ev.seq
