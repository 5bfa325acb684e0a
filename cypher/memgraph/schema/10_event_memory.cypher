CREATE INDEX ON :MemoryEvent(memory_id)
