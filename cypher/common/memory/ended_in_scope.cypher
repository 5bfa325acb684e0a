// The exact scope's ended memories, each with the DELETE event that ended it: its new_text names the fact
// that did, which links a memory's history into a chain (ingest/history.py). Runs only for an add of a
// fact older than the memory it contradicts. Its times are compared in Python (a model's date may differ
// in format). `updates`: the memory's UPDATE events, from which Python takes the last one an add made (an
// ended memory's updated_at is its end, so the time it was last said is read from its events).
MATCH (m:Memory)-[:HAS_EVENT]->(ev:MemoryEvent)
WHERE m.sk = $sk AND m.invalid_at IS NOT NULL AND ev.event = 'DELETE'
OPTIONAL MATCH (m)-[:HAS_EVENT]->(up:MemoryEvent)
WHERE up.event = 'UPDATE'
RETURN m.id AS id, m.text AS text, m.valid_at AS valid_at, m.invalid_at AS invalid_at, ev.id AS event_id,
       ev.new_text AS ended_by, collect({event: up.event, role: up.role, created_at: up.created_at}) AS updates
