CREATE INDEX memory_user_id IF NOT EXISTS FOR (m:Memory) ON (m.user_id)
