CREATE REL TABLE IF NOT EXISTS RELATES(FROM Entity TO Entity,
    id STRING, type STRING, fact STRING, valid_at STRING, invalid_at STRING, created_at STRING,
    memory_id STRING, episode_id STRING)
