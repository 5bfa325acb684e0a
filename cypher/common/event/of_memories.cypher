// The events of several memories (a memory replaced under its id gets its HAS_EVENT edges back).
MATCH (ev:MemoryEvent)
WHERE ev.memory_id IN $ids
RETURN ev.id AS id, ev.memory_id AS memory_id
