CREATE NODE TABLE IF NOT EXISTS Episode(
    id STRING PRIMARY KEY, role STRING, name STRING, content STRING, occurred_at STRING,
    user_id STRING, agent_id STRING, run_id STRING, sk STRING)
