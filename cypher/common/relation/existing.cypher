// Valid relations between these entity pairs, for de-duplication.
MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE a.id IN $source_ids AND b.id IN $target_ids AND r.invalid_at IS NULL
RETURN a.id AS source_id, b.id AS target_id, r.type AS type, r.id AS id
