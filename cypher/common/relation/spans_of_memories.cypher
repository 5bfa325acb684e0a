// The relations drawn from these memories, ended ones too, with when each held: an ended memory that
// ends earlier ends those that held at its new end (ingest/history.py).
MATCH (:Entity)-[r:RELATES]->(:Entity)
WHERE r.memory_id IN $ids
RETURN r.id AS id, r.memory_id AS memory_id, r.valid_at AS valid_at, r.invalid_at AS invalid_at
