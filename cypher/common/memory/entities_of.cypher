// The entities each memory mentions.
MATCH (m:Memory)-[:MENTIONS]->(e:Entity)
WHERE m.id IN $ids
RETURN m.id AS memory_id, e.id AS entity_id, e.name AS name
