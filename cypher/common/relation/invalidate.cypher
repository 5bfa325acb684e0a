MATCH (:Entity)-[r:RELATES]->(:Entity)
WHERE r.id IN $ids
SET r.invalid_at = $invalid_at
