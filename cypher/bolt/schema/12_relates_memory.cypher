CREATE INDEX relates_memory_id IF NOT EXISTS FOR ()-[r:RELATES]-() ON (r.memory_id)
