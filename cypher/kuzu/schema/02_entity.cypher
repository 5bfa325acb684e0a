CREATE NODE TABLE IF NOT EXISTS Entity(
    id STRING PRIMARY KEY, name STRING, name_norm STRING, type STRING, summary STRING, aliases STRING[],
    embedding FLOAT[<<dims>>], user_id STRING, agent_id STRING, run_id STRING,
    sk STRING, uk STRING, ak STRING, rk STRING, created_at STRING, updated_at STRING,
    mentions INT64, mention_ids STRING[])
