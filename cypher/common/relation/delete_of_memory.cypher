MATCH (:Entity)-[r:RELATES]->(:Entity)
WHERE r.memory_id = $id
DELETE r
