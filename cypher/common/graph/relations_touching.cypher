// RELATES edges with either end among $ids, in their stored direction; ended ones too when $include_invalid
// (an entity's timeline, a neighbourhood as of a past date). One hop of explore's breadth-first walk.
MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE (a.id IN $ids OR b.id IN $ids) AND (r.invalid_at IS NULL OR $include_invalid)
RETURN r.id AS id, a.id AS source_id, b.id AS target_id, a.name AS source, b.name AS target,
       r.type AS relationship, r.fact AS fact, r.valid_at AS valid_at, r.invalid_at AS invalid_at,
       r.created_at AS created_at, r.memory_id AS memory_id
