UNWIND $rows AS row
MATCH (m:Memory {id: row.memory_id}), (ev:MemoryEvent {id: row.id})
CREATE (m)-[:HAS_EVENT]->(ev)
