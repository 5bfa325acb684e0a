CREATE INDEX memory_event_memory_id IF NOT EXISTS FOR (ev:MemoryEvent) ON (ev.memory_id)
