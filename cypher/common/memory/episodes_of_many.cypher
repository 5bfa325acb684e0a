MATCH (m:Memory)-[:DERIVED_FROM]->(ep:Episode)
WHERE m.id IN $ids
RETURN m.id AS memory_id, ep.id AS episode_id
