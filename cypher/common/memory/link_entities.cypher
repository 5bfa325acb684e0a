UNWIND $rows AS row
MATCH (m:Memory {id: row.memory_id}), (e:Entity {id: row.entity_id})
CREATE (m)-[:MENTIONS]->(e)
