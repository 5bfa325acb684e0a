// One hop over valid RELATES edges, either direction, from a set of entities.
MATCH (a:Entity)-[r:RELATES]-(b:Entity)
WHERE a.id IN $ids AND r.invalid_at IS NULL
RETURN a.id AS from_id, b.id AS to_id, a.name AS from_name, b.name AS to_name, r.id AS id, r.type AS type,
       r.fact AS fact, r.memory_id AS memory_id, r.valid_at AS valid_at, r.invalid_at AS invalid_at
