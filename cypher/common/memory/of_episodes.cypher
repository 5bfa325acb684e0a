// The memories each episode gave (episodes belong to one exact scope, inside the searched one).
MATCH (m:Memory)-[:DERIVED_FROM]->(ep:Episode)
WHERE ep.id IN $ids AND m.invalid_at IS NULL
RETURN ep.id AS episode_id, m.id AS memory_id
