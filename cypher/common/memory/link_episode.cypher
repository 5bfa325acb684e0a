UNWIND $rows AS row
MATCH (m:Memory {id: row.memory_id}), (ep:Episode {id: row.episode_id})
CREATE (m)-[:DERIVED_FROM]->(ep)
