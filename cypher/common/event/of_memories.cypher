// The events of several memories (a memory replaced under its id gets its HAS_EVENT edges back; the texts
// an UPDATE replaced name the memory in the DELETE events of what it ended, ingest/history.py; the last
// UPDATE an add made, one with a role, is when the memory was last said, ingest/supersede.py).
MATCH (ev:MemoryEvent)
WHERE ev.memory_id IN $ids
RETURN ev.id AS id, ev.memory_id AS memory_id, ev.event AS event, ev.old_text AS old_text, ev.role AS role,
       ev.created_at AS created_at
