UNWIND $rows AS row
MATCH (a:Entity {id: row.source_id}), (b:Entity {id: row.target_id})
CREATE (a)-[:RELATES {id: row.id, type: row.type, fact: row.fact, valid_at: row.valid_at,
                      invalid_at: row.invalid_at, created_at: row.created_at,
                      memory_id: row.memory_id, episode_id: row.episode_id}]->(b)
