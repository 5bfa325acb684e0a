CREATE NODE TABLE IF NOT EXISTS Memory(
    id STRING PRIMARY KEY, text STRING, hash STRING, embedding FLOAT[<<dims>>], metadata STRING,
    memory_type STRING, user_id STRING, agent_id STRING, run_id STRING, actor_id STRING, role STRING,
    sk STRING, uk STRING, ak STRING, rk STRING,
    created_at STRING, updated_at STRING, valid_at STRING, invalid_at STRING,
    episode_ids STRING[], entity_ids STRING[])
