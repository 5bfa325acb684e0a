// Valid relations of these types with either end among $ids (an add's subjects of single-valued
// relations: lives_in, works_at, is, wife_of, ...), with the memory each was drawn from: a newer
// statement of another value contradicts that memory (graphmem/ingest/single_valued.py).
MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE (a.id IN $ids OR b.id IN $ids) AND r.type IN $types AND r.invalid_at IS NULL
RETURN r.id AS id, r.type AS type, a.id AS source_id, a.name AS source, b.id AS target_id, b.name AS target,
       b.type AS target_type, r.memory_id AS memory_id
