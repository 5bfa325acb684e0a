// @each rows
// One RELATES edge per run: Kuzu 0.11 joins an UNWIND list to a node table by scanning it (two
// scans for two ends: seconds at 100k entities), while a prepared key lookup costs the same at any size.
MATCH (a:Entity {id: $source_id})
MATCH (b:Entity {id: $target_id})
CREATE (a)-[:RELATES {id: $id, type: $type, fact: $fact, valid_at: $valid_at, invalid_at: $invalid_at,
                      created_at: $created_at, memory_id: $memory_id, episode_id: $episode_id}]->(b)
