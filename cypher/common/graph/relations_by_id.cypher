MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE r.id IN $ids
RETURN r.id AS id, a.name AS source, b.name AS target, r.type AS relationship, r.fact AS fact,
       r.valid_at AS valid_at, r.invalid_at AS invalid_at
