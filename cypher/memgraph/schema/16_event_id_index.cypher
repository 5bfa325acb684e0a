CREATE INDEX ON :MemoryEvent(id)
