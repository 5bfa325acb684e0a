// @each ids as id
// Valid relations of these types with either end $id, with the memory each was drawn from (see the common
// file). From the entity by key, both directions: Kuzu 0.11 answers `a.id IN $ids` by scanning every RELATES.
MATCH (a:Entity {id: $id})-[r:RELATES]->(b:Entity)
WHERE r.type IN $types AND r.invalid_at IS NULL
RETURN r.id AS id, r.type AS type, a.id AS source_id, a.name AS source, b.id AS target_id, b.name AS target,
       b.type AS target_type, r.memory_id AS memory_id
UNION ALL
MATCH (a:Entity)-[r:RELATES]->(b:Entity {id: $id})
WHERE r.type IN $types AND r.invalid_at IS NULL
RETURN r.id AS id, r.type AS type, a.id AS source_id, a.name AS source, b.id AS target_id, b.name AS target,
       b.type AS target_type, r.memory_id AS memory_id
