MATCH (:Entity)-[r:RELATES]->(:Entity)
WHERE r.memory_id IN $ids AND r.invalid_at IS NULL
RETURN r.id AS id
