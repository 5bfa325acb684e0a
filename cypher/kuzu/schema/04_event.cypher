CREATE NODE TABLE IF NOT EXISTS MemoryEvent(
    id STRING PRIMARY KEY, memory_id STRING, event STRING, old_text STRING, new_text STRING,
    actor STRING, role STRING, created_at STRING, seq INT64)
